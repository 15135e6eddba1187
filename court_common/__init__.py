"""Words and small rules both runtimes share (Rasa 3.10 and the service center 3.11).

Standard library only, so the same code runs in `.venv-rasa` and `.venv-svc`. Both runtimes run from the
repository root, so `import court_common` works in the Rasa server, the action server and the service center.
One module per topic; nothing here may import Rasa, FastAPI or any other third-party package.
"""
