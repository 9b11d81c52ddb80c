# One image for the five services (the chart picks the command: cognive-<service>) and
# cognive-admin. Dependencies come from the hashed lock, exactly as CI installs them.
FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY requirements.lock pyproject.toml ./
COPY contracts contracts
COPY libs libs
COPY services services
RUN uv venv /venv && uv pip sync --python /venv/bin/python requirements.lock

FROM python:3.11-slim
RUN useradd --uid 10001 --create-home cognive
COPY --from=build /venv /venv
COPY --from=build /app /app
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1
USER 10001
WORKDIR /app
CMD ["cognive-admin", "--help"]
