"""`python -m rasa_server run --port ... --endpoints ...`: Rasa's own command line, with the extension installed.

Rasa 3.6 has no setting for a failed action server (RasaHQ/rasa#7630, #5588), so the extension is installed in
the process before Rasa's command line starts; every argument goes to Rasa unchanged."""

from rasa_server.action_server_down import install


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
