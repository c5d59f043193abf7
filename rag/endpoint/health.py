"""Talking to an OpenAI-compatible endpoint about itself: is it there, and which models does it serve."""

from __future__ import annotations

import httpx

from rag.endpoint.http import Advice, endpoint_failure

MODELS = Advice(
    what="model endpoint",
    expected="an OpenAI model list at /models",
    timeout="check that it is running",
    unreachable="start it or fix RAG_LLM_BASE_URL",
    status="check the URL and API key",
    protocol="is it OpenAI-compatible?",
)


def list_models(base_url: str, *, api_key: str = "", timeout: float = 5.0) -> list[str]:
    """GET {base_url}/models and return the model ids.

    Args:
        base_url: The endpoint's OpenAI base URL (ending in /v1).
        api_key: Sent as a bearer token when given.
        timeout: Seconds to wait for the answer.

    Returns:
        The ids of the models the endpoint serves.

    Raises:
        EndpointTimeout: nothing came back within `timeout` seconds.
        EndpointUnavailable: the connection failed or the endpoint answered with an error status.
        EndpointProtocolError: the answer was not the OpenAI model list.
    """
    url = base_url.rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        resp = httpx.get(url, headers=headers, timeout=timeout)
        if resp.status_code >= 400:  # a redirect is not a failure here, as raise_for_status would have it
            resp.raise_for_status()
        data = resp.json()
        return [str(m["id"]) for m in data["data"]]
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as e:
        raise endpoint_failure(e, url=base_url, advice=MODELS, timeout=timeout) from e
