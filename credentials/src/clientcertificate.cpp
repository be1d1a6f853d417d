#include "clientcertificate.h"

#include "oauth.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

#include <QCryptographicHash>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUuid>

namespace azid::detail {

namespace {

template <typename T, void (*Free)(T *)> struct Deleter
{
    void operator()(T *object) const { Free(object); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, Deleter<PKCS12, PKCS12_free>>;
using MdContextPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX, EVP_MD_CTX_free>>;

void freeCertificateStack(STACK_OF(X509) * stack)
{
    sk_X509_pop_free(stack, X509_free);
}
using CertificateStackPtr = std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), freeCertificateStack>>;

using Certificates = std::vector<X509Ptr>;
using CertificateResult = Result<std::shared_ptr<const ClientCertificate>>;

AuthError loadError(const QString &message)
{
    // azure.identity raises ValueError at construction; here it fails every request.
    return AuthError::unavailable(message);
}

BioPtr memoryBio(const QByteArray &bytes)
{
    return BioPtr(BIO_new_mem_buf(bytes.constData(), static_cast<int>(bytes.size())));
}

QByteArray derOf(X509 *certificate)
{
    unsigned char *out = nullptr;
    const int length = i2d_X509(certificate, &out);
    if (length <= 0)
        return {};
    QByteArray der(reinterpret_cast<const char *>(out), length);
    OPENSSL_free(out);
    return der;
}

int passwordCallback(char *buffer, int size, int, void *userData)
{
    const auto *password = static_cast<const QByteArray *>(userData);
    if (!password || password->isEmpty())
        return -1;
    const int length = std::min(size, static_cast<int>(password->size()));
    std::memcpy(buffer, password->constData(), static_cast<size_t>(length));
    return length;
}

struct PemBlock
{
    QString label;
    QByteArray text;
};

QList<PemBlock> pemBlocks(const QByteArray &data)
{
    static const QRegularExpression block(QStringLiteral("-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \\1-----"),
                                          QRegularExpression::DotMatchesEverythingOption);
    QList<PemBlock> blocks;
    const QString text = QString::fromLatin1(data);
    for (auto it = block.globalMatch(text); it.hasNext();) {
        const auto match = it.next();
        blocks.append({match.captured(1), match.captured(0).toLatin1()});
    }
    return blocks;
}

Result<std::pair<KeyPtr, Certificates>> loadPem(const QByteArray &data, const QByteArray &password)
{
    KeyPtr key;
    Certificates certificates;
    for (const PemBlock &block : pemBlocks(data)) {
        const BioPtr bio = memoryBio(block.text);
        if (block.label == QStringLiteral("CERTIFICATE") ||
            block.label == QStringLiteral("X509 CERTIFICATE") ||
            block.label == QStringLiteral("TRUSTED CERTIFICATE")) {
            X509Ptr certificate(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
            if (!certificate)
                return loadError(
                    QStringLiteral("Failed to deserialize certificate in PEM or PKCS12 format: a "
                                   "CERTIFICATE block of the PEM data is damaged."));
            certificates.push_back(std::move(certificate));
        } else if (block.label.endsWith(QStringLiteral("PRIVATE KEY")) && !key) {
            QByteArray passwordCopy = password;
            key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, passwordCallback, &passwordCopy));
            scrub(passwordCopy);
            if (!key) {
                const bool encrypted = block.label.startsWith(QStringLiteral("ENCRYPTED")) ||
                                       block.text.contains("Proc-Type: 4,ENCRYPTED");
                if (encrypted && password.isEmpty())
                    return loadError(QStringLiteral(
                        "The certificate's private key is encrypted: give the certificate's password."));
                if (encrypted)
                    return loadError(QStringLiteral(
                        "The certificate's private key could not be decrypted: the password is wrong."));
                return loadError(QStringLiteral("Failed to deserialize certificate in PEM or PKCS12 format: "
                                                "the private key cannot be read."));
            }
        }
    }
    ERR_clear_error();
    if (certificates.empty())
        return loadError(QStringLiteral(
            "Failed to deserialize certificate in PEM or PKCS12 format: the PEM data holds no certificate."));
    return std::pair<KeyPtr, Certificates>(std::move(key), std::move(certificates));
}

Result<std::pair<KeyPtr, Certificates>> loadPkcs12(const QByteArray &data, const QByteArray &password)
{
    const BioPtr bio = memoryBio(data);
    Pkcs12Ptr pkcs12(d2i_PKCS12_bio(bio.get(), nullptr));
    if (!pkcs12) {
        ERR_clear_error();
        return loadError(QStringLiteral("Failed to deserialize certificate in PEM or PKCS12 format."));
    }
    // An empty password stands for "none": PKCS#12 files are made with either.
    QByteArray pass = password;
    const char *passText = nullptr;
    if (pass.isEmpty()) {
        if (PKCS12_verify_mac(pkcs12.get(), nullptr, 0) != 1 && PKCS12_verify_mac(pkcs12.get(), "", 0) == 1)
            passText = "";
    } else {
        passText = pass.constData();
    }
    const bool macPresent = PKCS12_mac_present(pkcs12.get()) == 1;
    if (macPresent && PKCS12_verify_mac(pkcs12.get(), passText, passText ? -1 : 0) != 1) {
        ERR_clear_error();
        scrub(pass);
        return loadError(
            password.isEmpty()
                ? QStringLiteral("The PKCS12 certificate is protected by a password: give it.")
                : QStringLiteral("The PKCS12 certificate could not be opened: the password is wrong."));
    }
    EVP_PKEY *rawKey = nullptr;
    X509 *rawCertificate = nullptr;
    STACK_OF(X509) *rawExtra = nullptr;
    bool parsed = PKCS12_parse(pkcs12.get(), passText, &rawKey, &rawCertificate, &rawExtra) == 1;
    if (!parsed) {
        // Files exported by older tools encrypt with RC2 or single DES: OpenSSL 3's legacy provider.
        ERR_clear_error();
        static const bool legacyLoaded = OSSL_PROVIDER_try_load(nullptr, "legacy", 1) != nullptr;
        if (legacyLoaded)
            parsed = PKCS12_parse(pkcs12.get(), passText, &rawKey, &rawCertificate, &rawExtra) == 1;
    }
    scrub(pass);
    KeyPtr key(rawKey);
    X509Ptr leaf(rawCertificate);
    CertificateStackPtr extra(rawExtra);
    if (!parsed) {
        ERR_clear_error();
        return loadError(QStringLiteral("Failed to deserialize certificate in PEM or PKCS12 format: the "
                                        "PKCS12 data cannot be decrypted."));
    }
    Certificates certificates;
    if (leaf)
        certificates.push_back(std::move(leaf));
    while (extra && sk_X509_num(extra.get()) > 0)
        certificates.push_back(X509Ptr(sk_X509_shift(extra.get())));
    if (certificates.empty())
        return loadError(QStringLiteral("Failed to deserialize certificate in PEM or PKCS12 format: the "
                                        "PKCS12 data holds no certificate."));
    return std::pair<KeyPtr, Certificates>(std::move(key), std::move(certificates));
}

QString keyTypeName(EVP_PKEY *key)
{
    const char *name = EVP_PKEY_get0_type_name(key);
    return name ? QString::fromLatin1(name) : QStringLiteral("an unknown type");
}

} // namespace

struct ClientCertificate::Private
{
    KeyPtr key;
    QList<QByteArray> chain; // DER, leaf first
};

ClientCertificate::ClientCertificate(std::unique_ptr<Private> data) : d(std::move(data)) {}
ClientCertificate::~ClientCertificate() = default;

CertificateResult ClientCertificate::load(const Secret &data, const Secret &password)
{
    if (data.isEmpty())
        return loadError(QStringLiteral("The certificate data is empty."));
    auto loaded = data.reveal().contains("-----BEGIN") ? loadPem(data.reveal(), password.reveal())
                                                       : loadPkcs12(data.reveal(), password.reveal());
    if (!loaded.ok())
        return loaded.error();
    KeyPtr key = std::move(loaded.value().first);
    Certificates certificates = std::move(loaded.value().second);
    if (!key)
        return loadError(QStringLiteral("The certificate must include its private key."));
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
        return loadError(
            QStringLiteral("The certificate must have an RSA private key because RS256 is used for "
                           "signing; this one is %1.")
                .arg(keyTypeName(key.get())));
    }
    // The certificate of the private key is the one Entra knows by its thumbprint; it goes first.
    auto leaf = std::find_if(certificates.begin(), certificates.end(), [&key](const X509Ptr &certificate) {
        return X509_check_private_key(certificate.get(), key.get()) == 1;
    });
    ERR_clear_error();
    if (leaf == certificates.end())
        return loadError(QStringLiteral("None of the certificates given belongs to the private key."));
    auto d = std::make_unique<Private>();
    d->chain.append(derOf(leaf->get()));
    for (const X509Ptr &certificate : certificates) {
        if (&certificate != &*leaf)
            d->chain.append(derOf(certificate.get()));
    }
    d->key = std::move(key);
    return std::shared_ptr<const ClientCertificate>(new ClientCertificate(std::move(d)));
}

CertificateResult ClientCertificate::loadFile(const QString &path, const Secret &password)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return loadError(
            QStringLiteral("Cannot read the certificate file %1: %2").arg(path, file.errorString()));
    return load(Secret(file.readAll()), password);
}

QByteArray ClientCertificate::thumbprintSha1() const
{
    return QCryptographicHash::hash(d->chain.first(), QCryptographicHash::Sha1);
}

QString ClientCertificate::x5t() const
{
    return QString::fromLatin1(base64UrlEncode(thumbprintSha1()));
}

QStringList ClientCertificate::x5c() const
{
    QStringList chain;
    for (const QByteArray &der : d->chain)
        chain.append(QString::fromLatin1(der.toBase64()));
    return chain;
}

QJsonObject ClientCertificate::assertionHeader(bool includeChain) const
{
    QJsonObject header{{QStringLiteral("alg"), QStringLiteral("RS256")},
                       {QStringLiteral("typ"), QStringLiteral("JWT")},
                       {QStringLiteral("x5t"), x5t()}};
    if (includeChain)
        header.insert(QStringLiteral("x5c"), QJsonArray::fromStringList(x5c()));
    return header;
}

QJsonObject ClientCertificate::assertionClaims(const QString &clientId, const QString &audience, qint64 now)
{
    return QJsonObject{{QStringLiteral("aud"), audience},
                       {QStringLiteral("iss"), clientId},
                       {QStringLiteral("sub"), clientId},
                       {QStringLiteral("jti"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                       {QStringLiteral("iat"), now},
                       {QStringLiteral("nbf"), now},
                       {QStringLiteral("exp"), now + AssertionLifetime}};
}

Result<Secret> ClientCertificate::createAssertion(const QString &clientId, const QString &audience,
                                                  qint64 now, bool includeChain) const
{
    return sign(assertionHeader(includeChain), assertionClaims(clientId, audience, now));
}

Result<Secret> ClientCertificate::sign(const QJsonObject &header, const QJsonObject &claims) const
{
    const QByteArray input = base64UrlEncode(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
                             base64UrlEncode(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const auto *bytes = reinterpret_cast<const unsigned char *>(input.constData());
    const auto length = static_cast<size_t>(input.size());
    MdContextPtr context(EVP_MD_CTX_new());
    size_t signatureLength = 0;
    if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, d->key.get()) != 1 ||
        EVP_DigestSign(context.get(), nullptr, &signatureLength, bytes, length) != 1) {
        ERR_clear_error();
        return AuthError::authentication(QStringLiteral("Signing the client assertion failed."));
    }
    QByteArray signature(static_cast<qsizetype>(signatureLength), Qt::Uninitialized);
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &signatureLength,
                       bytes, length) != 1) {
        ERR_clear_error();
        return AuthError::authentication(QStringLiteral("Signing the client assertion failed."));
    }
    signature.resize(static_cast<qsizetype>(signatureLength));
    return Secret(input + '.' + base64UrlEncode(signature));
}

} // namespace azid::detail
