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
        certificate = signer.signing_cert
        assert certificate is not None  # signing.py's loader always gives its signer one
        return algorithm, signer.sign_raw(data, DIGEST), certificate.dump()

    def trusts(self, certificate: x509.Certificate) -> bool:
        """A certificate issued under a recorded root, current or retired: checkpoints signed before a key
        rotation (even one to a new root) stay checkable, and a key nobody recorded vouches for nothing."""
        der = serialization.Encoding.DER
        roots = [x509.load_der_x509_certificate(root.dump()) for root in signing.trusted_roots()]
        try:  # intermediates of a configured chain
            intermediates = [x509.load_der_x509_certificate(c.dump()) for c in signing._keys().signer.cert_registry]
        except Exception:  # no key loads now: the recorded roots still vouch for what was signed before
            intermediates = []
        top = signing._top_issuer(certificate, [*intermediates, *roots])
        return top is not certificate and any(top.public_bytes(der) == root.public_bytes(der) for root in roots)
