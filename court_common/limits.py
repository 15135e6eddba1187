"""Limits every channel applies before a message reaches the NLU (one value, one polite answer)."""

# A long question fits easily; a pasted document or a 1 MB flood does not (it would stall Rasa for everyone).
MAX_MESSAGE_CHARS = 1000
TOO_LONG_REPLY = f"您的消息太长了，我一次最多能读{MAX_MESSAGE_CHARS}个字。请用一两句话说说您想办什么事。"


def too_long(text: object) -> bool:
    return isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS
