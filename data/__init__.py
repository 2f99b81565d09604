"""minhbach.data: the files minhbach reads as data (lexicons, rubrics, the register of legal
instruments, registry templates, the demo province), installed with the code."""
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
