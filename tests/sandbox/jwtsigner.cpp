#include "jwtsigner.h"

#include "encoding.h"
#include "jwsverifier.h"

#include <openssl/core_names.h>

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

QByteArray bignumParameter(EVP_PKEY *key, const char *name)
{
    BIGNUM *raw = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &raw) != 1)
        return {};
    const BignumPtr number(raw);
    QByteArray bytes(BN_num_bytes(number.get()), Qt::Uninitialized);
    BN_bn2bin(number.get(), reinterpret_cast<unsigned char *>(bytes.data()));
    return encoding::base64Url(bytes);
}

} // namespace

JwtSigner::JwtSigner() : m_key(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)))
{
    if (!m_key)
        return;
    m_modulus = bignumParameter(m_key.get(), OSSL_PKEY_PARAM_RSA_N);
    m_exponent = bignumParameter(m_key.get(), OSSL_PKEY_PARAM_RSA_E);
    // RFC 7638 thumbprint: members in lexicographic order, no whitespace.
    const QByteArray thumbprintInput =
        "{\"e\":\"" + m_exponent + "\",\"kty\":\"RSA\",\"n\":\"" + m_modulus + "\"}";
    m_keyId = QString::fromLatin1(encoding::base64Url(encoding::sha256(thumbprintInput)));
}

QByteArray JwtSigner::sign(const QJsonObject &payload) const
{
    const QJsonObject header{{u"typ"_s, u"JWT"_s}, {u"alg"_s, u"RS256"_s}, {u"kid"_s, m_keyId}};
    const QByteArray signingInput =
        encoding::base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
        encoding::base64Url(QJsonDocument(payload).toJson(QJsonDocument::Compact));
    EvpMdCtxPtr context(EVP_MD_CTX_new());
    size_t length = 0;
    const auto *input = reinterpret_cast<const unsigned char *>(signingInput.constData());
    const auto inputLength = static_cast<size_t>(signingInput.size());
    if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) != 1 ||
        EVP_DigestSign(context.get(), nullptr, &length, input, inputLength) != 1)
        return {};
    QByteArray signature(static_cast<qsizetype>(length), Qt::Uninitialized);
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, input,
                       inputLength) != 1)
        return {};
    signature.resize(static_cast<qsizetype>(length));
    return signingInput + '.' + encoding::base64Url(signature);
}

std::optional<QJsonObject> JwtSigner::verify(const QByteArray &jwt) const
{
    const std::optional<Jws> jws = Jws::parse(jwt);
    if (!jws || jws->header.value(u"alg"_s).toString() != u"RS256" || !jws->verify(m_key.get()))
        return std::nullopt;
    return jws->payload;
}

QJsonObject JwtSigner::jwks() const
{
    const QJsonObject key{{u"kty"_s, u"RSA"_s},
                          {u"use"_s, u"sig"_s},
                          {u"alg"_s, u"RS256"_s},
                          {u"kid"_s, m_keyId},
                          {u"n"_s, QString::fromLatin1(m_modulus)},
                          {u"e"_s, QString::fromLatin1(m_exponent)}};
    return QJsonObject{{u"keys"_s, QJsonArray{key}}};
}

} // namespace azid::sandbox
