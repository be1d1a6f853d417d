#pragma once

#include "azid/apptokencredential.h"
#include "azid/confidentialclientoptions.h"
#include "azid/secret.h"

#include <memory>

namespace azid {

struct CertificateCredentialOptions : ConfidentialClientOptions
{
    // The certificate's bytes (PEM or PKCS#12, with the private key), when no path is given.
    Secret certificateData;
    Secret password; // of the private key (PEM) or of the file (PKCS#12); empty: none
    // Sends the certificate chain in the assertion's x5c header (subject name/issuer authentication).
    bool sendCertificateChain = false;
};

// A service principal that authenticates with a certificate: each token request carries a client
// assertion (a JWT signed RS256 with the certificate's RSA key). The certificate is a PEM or PKCS#12
// file (certificatePath) or its bytes (options.certificateData), exactly one of the two.
class CertificateCredential final : public ConfidentialClientCredential
{
    Q_OBJECT
public:
    CertificateCredential(const QString &tenantId, const QString &clientId, const QString &certificatePath,
                          const CertificateCredentialOptions &options = {}, QObject *parent = nullptr);
    QString name() const override { return QStringLiteral("CertificateCredential"); }
};

} // namespace azid
