"""Framework integrations, each importable only where its framework is installed
(`pip install "cognive[langchain]"`, `"cognive[openai-agents]"`)."""
