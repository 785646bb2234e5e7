"""Write README.md from nbs/index.ipynb (nbdev_readme needs Quarto): markdown cells as they are, code cells as fenced Python."""
import json
from pathlib import Path

root = Path(__file__).resolve().parents[1]
nb = json.loads((root/'nbs'/'index.ipynb').read_text(encoding='utf-8'))
parts = []
for c in nb['cells']:
    src = ''.join(c['source']).strip()
    if not src or src.startswith('#| hide'): continue
    if c['cell_type'] == 'code': src = '\n'.join(l for l in src.splitlines() if not l.startswith('#|'))
    parts.append(src if c['cell_type'] == 'markdown' else f'```python\n{src}\n```')
(root/'README.md').write_text('\n\n'.join(parts) + '\n', encoding='utf-8')
