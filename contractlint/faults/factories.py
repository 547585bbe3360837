"""Errors the builtin contracts name that cannot be built without arguments: their ``[faults]``
factories.

A factory takes no arguments and returns one fresh error, shaped like the one the library raises
when the service is down, so that code which reads it (``err.response["Error"]["Code"]``) reads
something real. The libraries are imported when a factory is called, never before.
"""

from __future__ import annotations


def botocore_client_error() -> BaseException:
    """What botocore raises when AWS answers 503: an error response, and the operation it
    answered."""
    from botocore.exceptions import ClientError

    response = {
        "Error": {
            "Code": "ServiceUnavailable",
            "Message": "Service is unavailable (injected by contractlint)",
        },
        "ResponseMetadata": {"HTTPStatusCode": 503},
    }
    return ClientError(response, "InjectedByContractlint")
