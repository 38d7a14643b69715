import sys
from pathlib import Path

# The helpers shared by every test folder (filetree, strategies, hostile), whatever the import mode.
sys.path.insert(0, str(Path(__file__).resolve().parent))
