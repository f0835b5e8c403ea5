"""PDF model cards and audit reports (reportlab), their manifest, seal and verification.

pyHanko imports cryptography's DSA classes to recognise DSA keys, and cryptography warns
("CryptographyDeprecationWarning: DSA is deprecated") on that import, so every report and
every PDF check printed the warning although no DSA key is ever made or trusted here (seals
are ECDSA P-256). The filter below is scoped to that one message raised from pyHanko's own
modules; any other deprecation warning still shows.
"""

import warnings

warnings.filterwarnings("ignore", message=r"DSA is deprecated", module=r"pyhanko(\.|$)")
