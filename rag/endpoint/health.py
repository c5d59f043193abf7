"""Talking to an OpenAI-compatible endpoint about itself: is it there, and which models does it serve."""

from __future__ import annotations

import httpx

from rag.errors import EndpointProtocolError, EndpointTimeout, EndpointUnavailable


def list_models(base_url: str, *, api_key: str = "", timeout: float = 5.0) -> list[str]:
    """GET {base_url}/models and return the model ids.

    Raises:
        EndpointTimeout: nothing came back within `timeout` seconds.
        EndpointUnavailable: the connection failed or the endpoint answered with an error status.
        EndpointProtocolError: the answer was not the OpenAI model list.
    """
    url = base_url.rstrip("/") + "/models"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        resp = httpx.get(url, headers=headers, timeout=timeout)
    except httpx.TimeoutException as e:
        raise EndpointTimeout(
            f"the model endpoint {base_url} did not answer within {timeout:g} s: check that it is running",
            url=base_url,
            cause="timeout",
        ) from e
    except httpx.HTTPError as e:
        raise EndpointUnavailable(
            f"the model endpoint {base_url} is not reachable ({type(e).__name__}): "
            "start it or fix RAG_LLM_BASE_URL",
            url=base_url,
            cause=type(e).__name__,
        ) from e
    if resp.status_code >= 400:
        raise EndpointUnavailable(
            f"the model endpoint {base_url} answered HTTP {resp.status_code} to {url}: "
            "check the URL and API key",
            url=base_url,
            cause=f"HTTP {resp.status_code}",
        )
    try:
        data = resp.json()
        return [str(m["id"]) for m in data["data"]]
    except (ValueError, KeyError, TypeError) as e:
        raise EndpointProtocolError(
            f"the model endpoint {base_url} did not return an OpenAI model list at {url}: "
            "is it OpenAI-compatible?",
            url=base_url,
            cause="malformed model list",
        ) from e
