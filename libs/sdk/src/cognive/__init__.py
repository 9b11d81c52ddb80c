"""Cognive SDK: record AI agent runs, steps, LLM calls and tool calls; check budgets.

client = cognive.Client()   # COGNIVE_API_KEY, COGNIVE_BASE_URL
agent = client.register_agent(name="support-bot", framework="langchain", team="cx",
                              environment="prod", allowed_models=["gpt-4o*"])
with agent.run(metadata={"ticket": 42}) as run:
    run.log_llm_call(model="gpt-4o", provider="openai", input_tokens=1200, output_tokens=300)
"""

from cognive.client import Agent, Client, default_client
from cognive.errors import (
    ApiError,
    BudgetExceeded,
    BudgetUnavailable,
    CogniveError,
    ModelNotAllowed,
)
from cognive.run import Run, current_run
from cognive.tracking import track_llm, track_tool
from cognive.usage import CallInfo, Usage, call_info

__version__ = "0.1.0"

__all__ = [
    "Agent",
    "ApiError",
    "BudgetExceeded",
    "BudgetUnavailable",
    "CallInfo",
    "Client",
    "CogniveError",
    "ModelNotAllowed",
    "Run",
    "Usage",
    "call_info",
    "current_run",
    "default_client",
    "track_llm",
    "track_tool",
]
