#include "federatedcredentials.h"

#include "encoding.h"
#include "jwsverifier.h"
#include "opensslptr.h"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <QDateTime>
#include <QJsonValue>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

std::shared_ptr<EVP_PKEY> publicKeyFromPem(const QByteArray &pem)
{
    BioPtr bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    if (!bio)
        return {};
    if (EVP_PKEY *key = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr))
        return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
    BioPtr again(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())));
    X509Ptr certificate(PEM_read_bio_X509(again.get(), nullptr, nullptr, nullptr));
    if (!certificate)
        return {};
    EVP_PKEY *key = X509_get_pubkey(certificate.get());
    return key ? std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free) : std::shared_ptr<EVP_PKEY>();
}

QStringList audiencesOf(const QJsonValue &aud)
{
    if (aud.isString())
        return {aud.toString()};
    QStringList list;
    for (const QJsonValue &value : aud.toArray())
        list.append(value.toString());
    return list;
}

QString isoTime(qint64 epoch)
{
    return QDateTime::fromSecsSinceEpoch(epoch, Qt::UTC).toString(Qt::ISODate);
}

const QString checkAdvice =
    u" Please check your federated identity credential Subject, Audience and Issuer against the "
    u"presented assertion. https://learn.microsoft.com/entra/workload-id/"
    u"workload-identity-federation"_s;

} // namespace

std::optional<QString> FederatedCredentials::add(const QJsonObject &body, const Directory &directory)
{
    FederatedCredential credential;
    credential.clientId = body.value(u"client_id"_s).toString();
    credential.name = body.value(u"name"_s).toString();
    credential.issuer = body.value(u"issuer"_s).toString();
    credential.subject = body.value(u"subject"_s).toString();
    credential.audiences = audiencesOf(body.value(u"audiences"_s));
    if (credential.audiences.isEmpty())
        credential.audiences = {defaultAudience};
    if (!directory.app(credential.clientId))
        return u"unknown client_id '%1'"_s.arg(credential.clientId);
    if (credential.issuer.isEmpty() || credential.subject.isEmpty())
        return u"issuer and subject are required"_s;
    credential.key = publicKeyFromPem(body.value(u"public_key_pem"_s).toString().toUtf8());
    if (!credential.key)
        return u"public_key_pem must hold the issuer's public key (PUBLIC KEY or CERTIFICATE PEM)"_s;
    credential.id = m_nextId++;
    if (credential.name.isEmpty())
        credential.name = u"federated-credential-%1"_s.arg(credential.id);
    m_credentials.append(credential);
    return std::nullopt;
}

void FederatedCredentials::clear()
{
    m_credentials.clear();
}

QJsonArray FederatedCredentials::toJson() const
{
    QJsonArray array;
    for (const FederatedCredential &credential : m_credentials) {
        array.append(QJsonObject{{u"id"_s, credential.id},
                                 {u"client_id"_s, credential.clientId},
                                 {u"name"_s, credential.name},
                                 {u"issuer"_s, credential.issuer},
                                 {u"subject"_s, credential.subject},
                                 {u"audiences"_s, QJsonArray::fromStringList(credential.audiences)}});
    }
    return array;
}

bool FederatedCredentials::handles(const QString &assertion, const App &app) const
{
    bool any = false;
    for (const FederatedCredential &credential : m_credentials)
        any = any || credential.clientId.compare(app.clientId, Qt::CaseInsensitive) == 0;
    if (!any)
        return false;
    const auto jws = Jws::parse(assertion.toUtf8());
    return !jws || jws->payload.value(u"iss"_s).toString().compare(app.clientId, Qt::CaseInsensitive) != 0;
}

std::optional<OAuthError> FederatedCredentials::verify(const QString &assertion, const App &app) const
{
    const auto jws = Jws::parse(assertion.toUtf8());
    if (!jws)
        return OAuthError(400, u"invalid_request"_s, 50027, u"JWT token is invalid or malformed."_s);
    const QString issuer = jws->payload.value(u"iss"_s).toString();
    const QString subject = jws->payload.value(u"sub"_s).toString();
    const QStringList audiences = audiencesOf(jws->payload.value(u"aud"_s));

    QList<const FederatedCredential *> byIssuer;
    for (const FederatedCredential &credential : m_credentials) {
        if (credential.clientId.compare(app.clientId, Qt::CaseInsensitive) == 0 &&
            credential.issuer == issuer)
            byIssuer.append(&credential);
    }
    if (byIssuer.isEmpty()) {
        return OAuthError(
            400, u"invalid_request"_s, 700211,
            u"No matching federated identity record found for presented assertion issuer '%1'."_s.arg(
                issuer) +
                checkAdvice);
    }
    QList<const FederatedCredential *> bySubject;
    for (const FederatedCredential *credential : byIssuer) {
        if (credential->subject == subject)
            bySubject.append(credential);
    }
    if (bySubject.isEmpty()) {
        return OAuthError(
            400, u"invalid_request"_s, 700213,
            u"No matching federated identity record found for presented assertion subject '%1'."_s.arg(
                subject) +
                checkAdvice);
    }
    const FederatedCredential *match = nullptr;
    for (const FederatedCredential *credential : bySubject) {
        for (const QString &audience : audiences) {
            if (credential->audiences.contains(audience))
                match = credential;
        }
    }
    if (!match) {
        return OAuthError(
            400, u"invalid_request"_s, 700212,
            u"No matching federated identity record found for presented assertion audience '%1'."_s.arg(
                audiences.join(u", "_s)) +
                checkAdvice);
    }
    if (!jws->verify(match->key.get())) {
        return OAuthError(
            401, u"invalid_client"_s, 700027,
            u"Client assertion failed signature validation: it is not signed with the key of issuer "
            u"'%1' (RS256 or PS256)."_s.arg(issuer));
    }
    const qint64 now = encoding::nowSecs();
    const QJsonValue expires = jws->payload.value(u"exp"_s);
    const qint64 exp = static_cast<qint64>(expires.toDouble());
    const qint64 nbf = static_cast<qint64>(jws->payload.value(u"nbf"_s).toDouble(0));
    if (!expires.isDouble() || exp + clockSkewSecs < now || nbf - clockSkewSecs > now) {
        return OAuthError(
            400, u"invalid_client"_s, 700024,
            u"Client assertion is not within its valid time range. Current time: %1, assertion valid "
            u"from %2, expiry time of assertion %3."_s.arg(isoTime(now), isoTime(nbf),
                                                           expires.isDouble() ? isoTime(exp) : u"(none)"_s));
    }
    return std::nullopt;
}

} // namespace azid::sandbox
