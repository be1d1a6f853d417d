#include "certificatemaker.h"

#include "opensslptr.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <ctime>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

constexpr long caValidityDays = 3650;
constexpr long serverValidityDays = 365;

QString openSslError(const QString &what)
{
    const unsigned long code = ERR_get_error();
    char text[256] = {};
    if (code != 0)
        ERR_error_string_n(code, text, sizeof(text));
    return code != 0 ? what + u": "_s + QString::fromLatin1(text) : what;
}

EvpPkeyPtr generateEcKey()
{
    return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

bool addExtension(X509 *cert, X509V3_CTX *context, int nid, const char *value)
{
    X509ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, context, nid, value));
    return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

bool addNameEntry(X509_NAME *name, const char *field, const char *value)
{
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(value), -1, -1, 0) == 1;
}

// Builds a certificate for subjectKey, signed by issuerKey; a null issuer means self-signed (the CA).
X509Ptr makeCertificate(EVP_PKEY *subjectKey, const char *commonName, X509 *issuer, EVP_PKEY *issuerKey,
                        const char *altNames = "DNS:localhost,IP:127.0.0.1")
{
    const bool isCa = issuer == nullptr;
    X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
        return {};

    // Random positive serials keep browsers from complaining about reissued certificates.
    BignumPtr serial(BN_new());
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())))
        return {};

    const long validityDays = isCa ? caValidityDays : serverValidityDays;
    if (!X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(cert.get()), validityDays * 24 * 3600) ||
        X509_set_pubkey(cert.get(), subjectKey) != 1)
        return {};

    X509_NAME *name = X509_get_subject_name(cert.get());
    if (!addNameEntry(name, "O", "Azid Sandbox (testing only)") || !addNameEntry(name, "CN", commonName))
        return {};
    if (X509_set_issuer_name(cert.get(), isCa ? name : X509_get_subject_name(issuer)) != 1)
        return {};

    X509V3_CTX context;
    X509V3_set_ctx(&context, isCa ? cert.get() : issuer, cert.get(), nullptr, nullptr, 0);
    bool ok = addExtension(cert.get(), &context, NID_subject_key_identifier, "hash") &&
              addExtension(cert.get(), &context, NID_authority_key_identifier, "keyid:always");
    if (isCa) {
        ok = ok && addExtension(cert.get(), &context, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
             addExtension(cert.get(), &context, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        ok = ok && addExtension(cert.get(), &context, NID_basic_constraints, "critical,CA:FALSE") &&
             addExtension(cert.get(), &context, NID_key_usage, "critical,digitalSignature") &&
             addExtension(cert.get(), &context, NID_ext_key_usage, "serverAuth") &&
             addExtension(cert.get(), &context, NID_subject_alt_name, altNames);
    }
    if (!ok || X509_sign(cert.get(), isCa ? subjectKey : issuerKey, EVP_sha256()) <= 0)
        return {};
    return cert;
}

QByteArray certificatePem(X509 *cert)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
        return {};
    return readBio(bio.get());
}

QByteArray privateKeyPem(EVP_PKEY *key)
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    return readBio(bio.get());
}

X509Ptr parseCertificate(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    return X509Ptr(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

EvpPkeyPtr parsePrivateKey(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    return EvpPkeyPtr(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

bool writeFile(const QString &path, const QByteArray &data, bool secret, QString *error)
{
    QFile file(path);
    // Remove first: permissions given to open() only apply when the file is created.
    if (file.exists() && !file.remove()) {
        *error = u"cannot replace %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    const QFile::Permissions permissions =
        secret ? (QFile::ReadOwner | QFile::WriteOwner)
               : (QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, permissions) ||
        file.write(data) != data.size()) {
        *error = u"cannot write %1: %2"_s.arg(path, file.errorString());
        return false;
    }
    return true;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QSslKey toQSslKey(const QByteArray &pem)
{
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa}) {
        QSslKey key(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    return {};
}

} // namespace

std::optional<TlsMaterial> CertificateMaker::prepare(const QString &stateDir, QString *error,
                                                     const QString &hostName)
{
    if (!hostName.isEmpty())
        return create(stateDir, error, hostName);
    const QDir dir(stateDir);
    const QString caPath = dir.absoluteFilePath(u"ca.pem"_s);
    const QByteArray caPem = readFile(caPath);
    const QByteArray serverPem = readFile(dir.filePath(u"server.pem"_s));
    const QByteArray keyPem = readFile(dir.filePath(u"server.key"_s));

    const X509Ptr ca = parseCertificate(caPem);
    const X509Ptr server = parseCertificate(serverPem);
    const EvpPkeyPtr key = parsePrivateKey(keyPem);
    if (ca && server && key) {
        time_t tomorrow = std::time(nullptr) + 24 * 3600;
        const bool reusable = X509_check_private_key(server.get(), key.get()) == 1 &&
                              X509_verify(server.get(), X509_get0_pubkey(ca.get())) == 1 &&
                              X509_cmp_time(X509_get0_notAfter(server.get()), &tomorrow) > 0 &&
                              X509_cmp_time(X509_get0_notAfter(ca.get()), &tomorrow) > 0;
        if (reusable) {
            TlsMaterial material;
            material.chain = {QSslCertificate(serverPem), QSslCertificate(caPem)};
            material.key = toQSslKey(keyPem);
            material.trustAnchorPath = caPath;
            if (!material.key.isNull())
                return material;
        }
    }
    ERR_clear_error();
    return create(stateDir, error, {});
}

std::optional<TlsMaterial> CertificateMaker::create(const QString &stateDir, QString *error,
                                                    const QString &hostName)
{
    const QByteArray commonName = hostName.isEmpty() ? QByteArray("localhost") : hostName.toUtf8();
    const QByteArray altNames =
        hostName.isEmpty() ? QByteArray("DNS:localhost,IP:127.0.0.1") : "DNS:" + hostName.toUtf8();
    const EvpPkeyPtr caKey = generateEcKey();
    const EvpPkeyPtr serverKey = generateEcKey();
    if (!caKey || !serverKey) {
        *error = openSslError(u"key generation failed"_s);
        return std::nullopt;
    }
    const X509Ptr ca = makeCertificate(caKey.get(), "Azid Sandbox Test CA", nullptr, nullptr);
    const X509Ptr server = ca ? makeCertificate(serverKey.get(), commonName.constData(), ca.get(),
                                                caKey.get(), altNames.constData())
                              : X509Ptr();
    if (!ca || !server) {
        *error = openSslError(u"certificate creation failed"_s);
        return std::nullopt;
    }

    const QByteArray caPem = certificatePem(ca.get());
    const QByteArray serverPem = certificatePem(server.get());
    const QByteArray keyPem = privateKeyPem(serverKey.get());
    const QDir dir(stateDir);
    if (caPem.isEmpty() || serverPem.isEmpty() || keyPem.isEmpty()) {
        *error = openSslError(u"PEM encoding failed"_s);
        return std::nullopt;
    }
    // The CA key is never written: nothing else should be able to mint certificates clients trust.
    if (!writeFile(dir.filePath(u"ca.pem"_s), caPem, false, error) ||
        !writeFile(dir.filePath(u"server.pem"_s), serverPem, false, error) ||
        !writeFile(dir.filePath(u"server.key"_s), keyPem, true, error))
        return std::nullopt;

    TlsMaterial material;
    material.chain = {QSslCertificate(serverPem), QSslCertificate(caPem)};
    material.key = toQSslKey(keyPem);
    material.trustAnchorPath = dir.absoluteFilePath(u"ca.pem"_s);
    if (material.key.isNull() || material.chain.first().isNull()) {
        *error = u"Qt could not load the generated certificate (is a TLS backend available?)"_s;
        return std::nullopt;
    }
    return material;
}

std::optional<TlsMaterial> CertificateMaker::loadFiles(const QString &certPath, const QString &keyPath,
                                                       QString *error)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(certPath, QSsl::Pem);
    if (chain.isEmpty()) {
        *error = u"no PEM certificate in %1"_s.arg(certPath);
        return std::nullopt;
    }
    const QSslKey key = toQSslKey(readFile(keyPath));
    if (key.isNull()) {
        *error = u"no usable unencrypted PEM private key in %1"_s.arg(keyPath);
        return std::nullopt;
    }
    TlsMaterial material;
    material.chain = chain;
    material.key = key;
    material.trustAnchorPath = QFileInfo(certPath).absoluteFilePath();
    return material;
}

} // namespace azid::sandbox
