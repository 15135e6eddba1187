"""How this project runs the Rasa server: `python -m rasa_server run ...` is `rasa run` with one extension,
a polite answer instead of silence when the action server cannot be reached (action_server_down.py)."""
