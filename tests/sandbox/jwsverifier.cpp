#include "jwsverifier.h"

#include "opensslptr.h"

#include <openssl/rsa.h>

#include <QJsonDocument>
#include <QList>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

std::optional<QByteArray> decodePart(QByteArray part)
{
    while (part.endsWith('='))
        part.chop(1);
    auto decoded = QByteArray::fromBase64Encoding(part, QByteArray::Base64UrlEncoding |
                                                            QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return decoded.decoded;
}

std::optional<QJsonObject> decodeObject(const QByteArray &part)
{
    const auto json = decodePart(part);
    if (!json)
        return std::nullopt;
    const QJsonDocument document = QJsonDocument::fromJson(*json);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

} // namespace

std::optional<Jws> Jws::parse(const QByteArray &compact)
{
    const QList<QByteArray> parts = compact.split('.');
    if (parts.size() != 3 || parts[2].isEmpty())
        return std::nullopt;
    const auto header = decodeObject(parts[0]);
    const auto payload = decodeObject(parts[1]);
    const auto signature = decodePart(parts[2]);
    if (!header || !payload || !signature)
        return std::nullopt;
    return Jws{*header, *payload, parts[0] + '.' + parts[1], *signature};
}

bool Jws::verify(EVP_PKEY *key) const
{
    const QString alg = header.value(u"alg"_s).toString();
    const bool pss = alg == u"PS256";
    if ((!pss && alg != u"RS256") || !key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return false;
    EvpMdCtxPtr context(EVP_MD_CTX_new());
    EVP_PKEY_CTX *keyContext = nullptr;
    if (!context || EVP_DigestVerifyInit(context.get(), &keyContext, EVP_sha256(), nullptr, key) != 1)
        return false;
    if (pss && (EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) != 1 ||
                EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_AUTO) != 1))
        return false;
    return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char *>(signature.constData()),
                            static_cast<size_t>(signature.size()),
                            reinterpret_cast<const unsigned char *>(signingInput.constData()),
                            static_cast<size_t>(signingInput.size())) == 1;
}

} // namespace azid::sandbox
