"""Masking of personal data (phone, ID numbers, names) for logs, lists and anything shown to staff."""

import logging

from court_common.masking import mask_name, mask_phone, mask_text

__all__ = ["MaskingFilter", "install_log_masking", "mask_name", "mask_phone", "mask_text"]


class MaskingFilter(logging.Filter):
    """Rewrites each log record so that no phone or ID number reaches a log file."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is still logged, unmasked args dropped
            message = str(record.msg)
        record.msg, record.args = mask_text(message), None
        return True


def install_log_masking() -> None:
    for handler in logging.getLogger().handlers:
        handler.addFilter(MaskingFilter())
    logging.getLogger().addFilter(MaskingFilter())
