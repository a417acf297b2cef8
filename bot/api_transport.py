"""The Bot API's HTTP transport, on aiohttp's client.

PTB's stock transport (httpx over httpcore, anyio and h11) spends about three times the CPU
per call of aiohttp's client, whose HTTP parser is compiled; a filed report makes several
Bot API calls, so the transport is most of the bot's own cost. The wire format is the
stock one: form-encoded parameters (each value as PTB encodes it), multipart/form-data when
a file is sent. Errors come out as PTB's: a timeout is `TimedOut`, any other failure to get
an answer is `NetworkError`. Like httpx, the proxy settings of the environment
(`HTTPS_PROXY`, `NO_PROXY` …) are followed; they are looked up once per server, not on
every call as aiohttp's own `trust_env` does (in a worker thread, each time).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """PTB's `BaseRequest` over one aiohttp session (a pool of kept-alive connections).

    Timeouts, in seconds (None: no limit), as PTB's `HTTPXRequest` has them: `connect` to
    open a connection, `pool` to wait for a free one, `read` between two reads of the
    answer. aiohttp has no separate write timeout, and its read timeout runs while a body
    is still being sent: a call that uploads a file gets at least the write timeout
    (`media_write_timeout` unless the call names one, 20 s as PTB's) as its read timeout,
    so a slow upload is not cut short.
    """

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._media_write_timeout = media_write_timeout
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        # Per server ("scheme://host:port"): the proxy the environment names, if any.
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        """The read timeout used when a call names none."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (in the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; returns the answer's status and body."""
        if self._session is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        body: bytes | aiohttp.FormData | None = None
        headers: dict[str, str] | None = None
        if read_timeout is BaseRequest.DEFAULT_NONE:
            read_timeout = self._read_timeout
        if request_data is not None and request_data.contains_files:
            body = _multipart(request_data)
            if write_timeout is BaseRequest.DEFAULT_NONE:
                write_timeout = self._media_write_timeout
            if read_timeout is not None:
                read_timeout = None if write_timeout is None else max(read_timeout, write_timeout)
        elif request_data is not None and request_data.parameters:
            body = request_data.url_encoded_parameters().encode("ascii")
            headers = _FORM
        timeout = self._timeout(read_timeout, connect_timeout, pool_timeout)
        proxy, proxy_auth = self._proxy(url)
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:
                return response.status, await response.read()
        except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    def _proxy(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        end = url.find("/", url.find("//") + 2)
        server = url if end < 0 else url[:end]
        found = self._proxies.get(server)
        if found is None:
            try:
                found = get_env_proxy_for_url(URL(server))
            except LookupError:
                found = (None, None)
            self._proxies[server] = found
        return found

    def _timeout(self, read: float | None, connect: Any, pool: Any) -> aiohttp.ClientTimeout:
        connect = self._connect_timeout if connect is BaseRequest.DEFAULT_NONE else connect
        pool = self._pool_timeout if pool is BaseRequest.DEFAULT_NONE else pool
        # aiohttp's `connect` covers waiting for a pooled connection and opening a new one.
        acquire = None if connect is None or pool is None else connect + pool
        return aiohttp.ClientTimeout(
            total=None, connect=acquire, sock_connect=connect, sock_read=read
        )


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
