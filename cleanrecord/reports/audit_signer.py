"""The platform key signs the audit trail's checkpoints (cleanrecord/audit/checkpoints.py).

The audit app sits below this one, so it cannot import the key: ReportsConfig.ready() hands it this
signer. The key is the one reports are signed with, loaded by signing.py's own loader: when that
refuses (no key), so does the checkpoint.
"""

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from . import signing

DIGEST = "sha256"


class PlatformSigner:
    def sign(self, data: bytes) -> tuple[str, bytes, bytes]:
        signer = signing._keys().signer
        algorithm = signer.get_signature_mechanism_for_digest(DIGEST).signature_algo
        return algorithm, signer.sign_raw(data, DIGEST), signer.signing_cert.dump()

    def trusts(self, certificate: x509.Certificate) -> bool:
        """The current signing certificate, or one issued under the platform's root (a signing key since rotated)."""
        keys = signing._keys()
        current = x509.load_der_x509_certificate(keys.signer.signing_cert.dump())
        if certificate == current:
            return True
        issuers = [x509.load_der_x509_certificate(c.dump()) for c in keys.signer.cert_registry]
        top = signing._top_issuer(certificate, [*issuers, keys.root])
        der = serialization.Encoding.DER
        return top is not certificate and top.public_bytes(der) == keys.root.public_bytes(der)
