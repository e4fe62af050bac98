"""The toc service: a FastAPI app over SQLModel storage, thin routes over a service layer."""
