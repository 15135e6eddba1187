"""Staff authentication: a bearer token compared in constant time."""

import secrets

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service_center.config import Settings, get_settings

_bearer = HTTPBearer(auto_error=False)


def require_staff(
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    settings: Settings = Depends(get_settings),
) -> str:
    """Dependency for /api/staff/*: returns the staff identity used in audit logs."""
    if settings.staff_api_token is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED,
                            detail="工作人员接口未启用：请设置 STAFF_API_TOKEN")
    if credentials is None or not secrets.compare_digest(
        credentials.credentials.encode(), settings.staff_api_token.encode()
    ):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="需要有效的工作人员令牌",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return "staff"
