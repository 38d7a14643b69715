"""ADK content as readable text: a text part as it is, a function call as one line
(`get_weather(city="Paris", days=2)`), a response as `get_weather -> {"temp_c": 18}`, other
parts named in brackets. What session-tui shows as an ADK event's `content`."""

from __future__ import annotations

import json
from typing import Any

from ..model import JSON


def _value(value: JSON) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def render_call(name: str, args: JSON) -> str:
    """`get_weather(city="Paris", days=2)`: one line, values as compact JSON."""
    if isinstance(args, dict):
        inner = ", ".join(f"{k}={_value(v)}" for k, v in args.items())
    else:
        inner = "" if args is None else _value(args)
    return f"{name}({inner})"


def render_response(name: str, response: JSON) -> str:
    """`get_weather -> {"temp_c": 18}` (a lone string `output` as it is)."""
    if isinstance(response, dict) and set(response) == {"output"} and isinstance(response["output"], str):
        return f"{name} -> {response['output']}"
    return f"{name} -> {_value(response)}"


def _either(part: dict, camel: str, snake: str) -> Any:
    value = part.get(camel)
    return part.get(snake) if value is None else value


def render_part(part: JSON) -> str | None:
    """One part of ADK content as text (a function call as `name(args)`); None: nothing to show."""
    if not isinstance(part, dict):
        return None
    text = part.get("text")
    if isinstance(text, str):
        return text
    call = _either(part, "functionCall", "function_call")
    if isinstance(call, dict):
        name = call.get("name")
        return render_call(name if isinstance(name, str) else "?", call.get("args"))
    resp = _either(part, "functionResponse", "function_response")
    if isinstance(resp, dict):
        name = resp.get("name")
        return render_response(name if isinstance(name, str) else "?", resp.get("response"))
    code = _either(part, "executableCode", "executable_code")
    if isinstance(code, dict) and isinstance(code.get("code"), str):
        return code["code"]
    result = _either(part, "codeExecutionResult", "code_execution_result")
    if isinstance(result, dict):
        output = result.get("output")
        return output if isinstance(output, str) else f"[code result: {result.get('outcome', '?')}]"
    blob = _either(part, "inlineData", "inline_data")
    if isinstance(blob, dict):
        mime = _either(blob, "mimeType", "mime_type")
        return f"[inline data: {mime if isinstance(mime, str) else 'unknown type'}]"
    file = _either(part, "fileData", "file_data")
    if isinstance(file, dict):
        uri = _either(file, "fileUri", "file_uri")
        return f"[file: {uri if isinstance(uri, str) else '?'}]"
    keys = [k for k, v in part.items() if v is not None]
    return f"[{', '.join(keys)}]" if keys else None


def render_content(content: JSON) -> str | None:
    """ADK content as readable text: one line (or block) per part. None stays None."""
    if content is None:
        return None
    parts = content.get("parts") if isinstance(content, dict) else None
    if not isinstance(parts, list):
        return ""
    lines = [line for line in (render_part(p) for p in parts) if line is not None]
    return "\n".join(lines)
