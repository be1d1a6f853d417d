#pragma once

#include <QByteArray>
#include <QString>

namespace azid::test {

// A self-signed RSA certificate for a test app, made with the openssl command line in `folder`
// (files <name>.key and <name>.crt there, valid two days): the certificate alone, and the private key
// followed by the certificate, as a CertificateCredential reads it. Both empty when openssl failed.
struct SelfSignedCertificate
{
    QByteArray certificatePem;
    QByteArray keyAndCertificatePem;

    static SelfSignedCertificate make(const QString &folder, const QString &name);
};

} // namespace azid::test
