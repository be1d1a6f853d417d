#include "clientassertion.h"

#include "appregistration.h"
#include "encoding.h"
#include "jwsverifier.h"

#include <QJsonArray>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

OAuthError invalidClient(int code, const QString &text)
{
    return OAuthError(401, u"invalid_client"_s, code, text);
}

QByteArray unpadded(QByteArray text)
{
    while (text.endsWith('='))
        text.chop(1);
    return text;
}

} // namespace

std::optional<OAuthError> ClientAssertionVerifier::verify(RequestContext &context,
                                                          const QMap<QString, QString> &form, const App &app,
                                                          const Directory &directory)
{
    const QString type = form.value(u"client_assertion_type"_s);
    if (type != assertionType) {
        return OAuthError(400, u"invalid_request"_s, 900144,
                          type.isEmpty() ? u"The request body must contain the following parameter: "
                                           u"'client_assertion_type'."_s
                                         : u"The client_assertion_type '%1' is not supported; use %2."_s.arg(
                                               type, assertionType));
    }
    const std::optional<Jws> jws = Jws::parse(form.value(u"client_assertion"_s).toUtf8());
    if (!jws)
        return invalidClient(50027, u"JWT token is invalid or malformed."_s);

    QJsonObject recorded;
    for (const QString &name : {u"alg"_s, u"typ"_s, u"kid"_s, u"x5t"_s, u"x5t#S256"_s}) {
        if (jws->header.contains(name))
            recorded.insert(name, jws->header.value(name));
    }
    const QJsonArray x5c = jws->header.value(u"x5c"_s).toArray();
    if (jws->header.contains(u"x5c"_s))
        recorded.insert(u"x5c"_s, static_cast<int>(x5c.size()));
    context.record.assertionHeader = recorded;

    const QString alg = jws->header.value(u"alg"_s).toString();
    if (alg != u"RS256" && alg != u"PS256") {
        return invalidClient(5002738, u"Invalid JWT token. '%1' is not a supported signature algorithm. "
                                      u"Supported signing algorithms are: 'RS256, PS256'"_s.arg(alg));
    }
    const QJsonObject &claims = jws->payload;
    const QString issuer = claims.value(u"iss"_s).toString();
    const QString subject = claims.value(u"sub"_s).toString();
    if (issuer.compare(app.clientId, Qt::CaseInsensitive) != 0 ||
        subject.compare(app.clientId, Qt::CaseInsensitive) != 0) {
        return invalidClient(700021, u"Client assertion application identifier doesn't match 'client_id' "
                                     u"parameter (iss and sub must both be '%1')."_s.arg(app.clientId));
    }
    const QString audience = claims.value(u"aud"_s).toString();
    if (!audienceMatches(context, audience, directory)) {
        return invalidClient(7000211, u"The client assertion's audience claim '%1' does not match this token "
                                      u"endpoint, %2%3."_s.arg(audience, context.origin,
                                                               QString::fromUtf8(context.http.rawPath)));
    }
    const qint64 now = encoding::nowSecs();
    const QJsonValue exp = claims.value(u"exp"_s);
    const QJsonValue nbf = claims.value(u"nbf"_s);
    if (!exp.isDouble() || exp.toInteger() + clockSkewSecs < now ||
        (nbf.isDouble() && nbf.toInteger() - clockSkewSecs > now)) {
        return invalidClient(700024, u"Client assertion is not within its valid time range. Current time: "
                                     u"%1, assertion valid from %2, expiry time of assertion %3."_s.arg(
                                         QString::number(now), QString::number(nbf.toInteger()),
                                         QString::number(exp.toInteger())));
    }
    const QString jti = claims.value(u"jti"_s).toString();
    if (jti.isEmpty())
        return invalidClient(50027, u"JWT token is invalid or malformed: the client assertion has no jti."_s);

    // The signing certificate: named by x5t (SHA-1) or x5t#S256, else the first of x5c.
    const QByteArray sha1 = unpadded(jws->header.value(u"x5t"_s).toString().toLatin1());
    const QByteArray sha256 = unpadded(jws->header.value(u"x5t#S256"_s).toString().toLatin1());
    QByteArray chainLeaf;
    if (!x5c.isEmpty())
        chainLeaf = QByteArray::fromBase64(x5c.first().toString().toLatin1());
    const QByteArray *signer = nullptr;
    for (const QByteArray &der : app.certificates) {
        const bool named = (!sha1.isEmpty() && appregistration::x5t(der) == sha1) ||
                           (!sha256.isEmpty() && appregistration::x5tS256(der) == sha256) ||
                           (sha1.isEmpty() && sha256.isEmpty() && der == chainLeaf);
        if (named) {
            signer = &der;
            break;
        }
    }
    if (!signer) {
        const QString presented = QString::fromLatin1(!sha1.isEmpty() ? sha1 : sha256);
        return invalidClient(700027, u"The certificate with identifier used to sign the client assertion is "
                                     u"not registered on application. [Reason - The key was not found., "
                                     u"Thumbprint of key used by client: '%1']"_s.arg(presented));
    }
    if (!chainLeaf.isEmpty() && chainLeaf != *signer) {
        return invalidClient(700027, u"The first certificate of x5c is not the certificate named by the "
                                     u"assertion's thumbprint."_s);
    }
    const EvpPkeyPtr key = appregistration::publicKey(*signer);
    if (!jws->verify(key.get())) {
        return invalidClient(7000274, u"Client assertion failed signature validation: the key was found, but "
                                      u"verifying the signature with it failed."_s);
    }

    for (auto it = m_usedIds.begin(); it != m_usedIds.end();) {
        it = it->second + clockSkewSecs < now ? m_usedIds.erase(it) : std::next(it);
    }
    const QString id = app.clientId + u'|' + jti;
    if (m_usedIds.count(id)) {
        return invalidClient(7000226, u"The client assertion with this jti was already used; every token "
                                      u"request needs a new assertion."_s);
    }
    m_usedIds.emplace(id, exp.toInteger());
    return std::nullopt;
}

bool ClientAssertionVerifier::audienceMatches(const RequestContext &context, const QString &audience,
                                              const Directory &directory) const
{
    const QUrl url(audience, QUrl::StrictMode);
    const QUrl origin(context.origin);
    if (!url.isValid() || url.scheme() != u"https" || url.port() != origin.port() ||
        (url.host() != u"127.0.0.1" && url.host() != u"localhost") || url.hasQuery())
        return false;
    const QStringList segments = url.path().split(u'/', Qt::SkipEmptyParts);
    if (segments.size() != 4 || segments[1] != u"oauth2" || segments[2] != u"v2.0" || segments[3] != u"token")
        return false;
    const TenantPath named = directory.resolveTenant(segments[0]);
    if (named.isSpecific() && context.tenant.isSpecific())
        return named.tenant == context.tenant.tenant;
    return segments[0].compare(context.tenant.segment, Qt::CaseInsensitive) == 0;
}

} // namespace azid::sandbox
