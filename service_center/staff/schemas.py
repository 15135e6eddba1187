"""Request bodies of the staff account API."""

from pydantic import BaseModel, Field


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=40)
    password: str = Field(min_length=1, max_length=200)


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=40)
    role: str
    password: str = Field(min_length=1, max_length=200)
    display_name: str | None = Field(default=None, max_length=40)


class UserUpdate(BaseModel):
    role: str | None = None
    active: bool | None = None
    password: str | None = Field(default=None, max_length=200)
    unlock: bool = False


class TokenCreate(BaseModel):
    name: str = Field(default="script", min_length=1, max_length=60)
