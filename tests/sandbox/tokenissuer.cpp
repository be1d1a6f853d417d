#include "tokenissuer.h"

#include "encoding.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace azid::sandbox {

namespace {

const QStringList &oidcScopeNames()
{
    static const QStringList names{u"openid"_s, u"profile"_s, u"email"_s, u"offline_access"_s};
    return names;
}

QString normalizedResource(const QString &resource)
{
    QString normalized = resource.toLower();
    while (normalized.endsWith(u'/'))
        normalized.chop(1);
    return normalized;
}

QString shortScopeName(const QString &scope)
{
    const QString name = scope.section(u'/', -1);
    // A .default token carries the permissions consented statically; for the APIs people try
    // with the sandbox that is user_impersonation.
    return name == u".default" ? u"user_impersonation"_s : name;
}

// Echoes requested access_token claims (the claims request parameter, OpenID Connect Core 1.0 §5.5):
// xms_cc client capabilities and essential claims such as acrs, but never lets a request override the
// registered claims.
void applyClaimsRequest(QJsonObject &payload, const QString &claims)
{
    static const QStringList reserved{
        u"aud"_s,   u"iss"_s, u"iat"_s, u"nbf"_s, u"exp"_s, u"tid"_s, u"oid"_s,  u"sub"_s,
        u"appid"_s, u"scp"_s, u"uti"_s, u"jti"_s, u"ver"_s, u"upn"_s, u"name"_s, u"preferred_username"_s};
    const QJsonObject request =
        QJsonDocument::fromJson(claims.toUtf8()).object().value(u"access_token"_s).toObject();
    for (auto it = request.begin(); it != request.end(); ++it) {
        if (reserved.contains(it.key()))
            continue;
        const QJsonObject spec = it.value().toObject();
        if (spec.contains(u"values"_s))
            payload.insert(it.key(), spec.value(u"values"_s));
        else if (spec.contains(u"value"_s))
            payload.insert(it.key(), it.key() == u"acrs" ? QJsonValue(QJsonArray{spec.value(u"value"_s)})
                                                         : spec.value(u"value"_s));
    }
}

} // namespace

ScopeSet ScopeSet::parse(const QString &scope)
{
    ScopeSet set;
    QStringList seenResources;
    for (const QString &item : scope.split(u' ', Qt::SkipEmptyParts)) {
        if (oidcScopeNames().contains(item.toLower())) {
            if (!set.oidc.contains(item.toLower()))
                set.oidc.append(item.toLower());
            continue;
        }
        set.resourceScopes.append(item);
        const QString resource = resourceOf(item);
        if (!seenResources.contains(normalizedResource(resource))) {
            seenResources.append(normalizedResource(resource));
            set.resources.append(resource);
        }
    }
    return set;
}

QString ScopeSet::resourceOf(const QString &scope)
{
    const qsizetype slash = scope.lastIndexOf(u'/');
    // Bare names such as User.Read are Microsoft Graph permissions, as in Entra.
    if (slash <= 0)
        return u"https://graph.microsoft.com"_s;
    return scope.left(slash);
}

bool ScopeSet::has(const QString &oidcScope) const
{
    return oidc.contains(oidcScope);
}

ScopeSet ScopeSet::firstResourceOnly() const
{
    if (resources.size() <= 1)
        return *this;
    ScopeSet set = *this;
    set.resources = {resources.first()};
    set.resourceScopes.clear();
    for (const QString &scope : resourceScopes) {
        if (normalizedResource(resourceOf(scope)) == normalizedResource(resources.first()))
            set.resourceScopes.append(scope);
    }
    return set;
}

TokenIssuer::TokenIssuer(const JwtSigner &signer, const Settings &settings, GrantStore &store)
    : m_signer(signer), m_settings(settings), m_store(store)
{}

QString TokenIssuer::clientInfo(const User &user)
{
    const QJsonObject info{{u"uid"_s, user.oid}, {u"utid"_s, user.homeTenantId}};
    return QString::fromLatin1(encoding::base64Url(QJsonDocument(info).toJson(QJsonDocument::Compact)));
}

QJsonObject TokenIssuer::issueForUser(const UserGrant &grant, int *issuedRefreshTokenId)
{
    const User &user = *grant.user;
    const App &app = *grant.app;
    const qint64 now = encoding::nowSecs();
    const qint64 lifetime = m_settings.accessTokenLifetime;
    const QString resource =
        grant.scopes.resources.isEmpty() ? u"https://graph.microsoft.com"_s : grant.scopes.resources.first();

    QStringList responseScopes = grant.scopes.resourceScopes;
    QStringList shortNames;
    for (const QString &scope : grant.scopes.resourceScopes)
        shortNames.append(shortScopeName(scope));
    if (responseScopes.isEmpty()) {
        // Only OIDC scopes were asked for: Entra then issues a Graph token for the sign-in scopes.
        for (const QString &scope : grant.scopes.oidc) {
            if (scope != u"offline_access") {
                responseScopes.append(scope);
                shortNames.append(scope);
            }
        }
    }
    shortNames.removeDuplicates();

    const QString uti = encoding::randomToken(16);
    QJsonObject accessToken{
        {u"aud"_s, resource},
        {u"iss"_s, u"%1/%2/"_s.arg(grant.origin, grant.tenantId)},
        {u"iat"_s, now},
        {u"nbf"_s, now},
        {u"exp"_s, now + lifetime},
        {u"acr"_s, u"1"_s},
        {u"amr"_s, grant.interactive && user.passwordGrant == PasswordGrantOutcome::MfaRequired
                       ? QJsonArray{u"pwd"_s, u"mfa"_s}
                       : QJsonArray{u"pwd"_s}},
        {u"appid"_s, app.clientId},
        {u"appidacr"_s, app.isPublic ? u"0"_s : u"1"_s},
        {u"ipaddr"_s, u"127.0.0.1"_s},
        {u"name"_s, user.displayName},
        {u"oid"_s, user.oid},
        {u"scp"_s, shortNames.join(u' ')},
        {u"sub"_s, user.oid},
        {u"tid"_s, grant.tenantId},
        {u"unique_name"_s, user.username},
        {u"upn"_s, user.username},
        {u"preferred_username"_s, user.username},
        {u"uti"_s, uti},
        {u"jti"_s, uti},
        {u"ver"_s, u"1.0"_s}};
    if (grant.tenantId != user.homeTenantId)
        accessToken.insert(u"idp"_s, u"%1/%2/"_s.arg(grant.origin, user.homeTenantId));
    if (!grant.claims.isEmpty())
        applyClaimsRequest(accessToken, grant.claims);

    QJsonObject response{{u"token_type"_s, u"Bearer"_s},
                         {u"scope"_s, responseScopes.join(u' ')},
                         {u"expires_in"_s, lifetime},
                         {u"ext_expires_in"_s, lifetime},
                         {u"access_token"_s, QString::fromLatin1(m_signer.sign(accessToken))}};
    if (m_settings.refreshIn > 0)
        response.insert(u"refresh_in"_s, m_settings.refreshIn);

    if (grant.scopes.has(u"offline_access"_s)) {
        RefreshTokenGrant refreshGrant;
        refreshGrant.username = user.username;
        refreshGrant.clientId = app.clientId;
        refreshGrant.familyId = app.family;
        refreshGrant.scopes = grant.scopes.resourceScopes;
        response.insert(u"refresh_token"_s, m_store.addRefreshToken(refreshGrant, issuedRefreshTokenId));
    }
    if (grant.scopes.has(u"openid"_s)) {
        QJsonObject idToken{{u"aud"_s, app.clientId},
                            {u"iss"_s, u"%1/%2/v2.0"_s.arg(grant.origin, grant.tenantId)},
                            {u"iat"_s, now},
                            {u"nbf"_s, now},
                            {u"exp"_s, now + 3600},
                            {u"name"_s, user.displayName},
                            {u"oid"_s, user.oid},
                            {u"preferred_username"_s, user.username},
                            {u"sub"_s, user.oid},
                            {u"tid"_s, grant.tenantId},
                            {u"uti"_s, encoding::randomToken(16)},
                            {u"ver"_s, u"2.0"_s}};
        if (!grant.nonce.isEmpty())
            idToken.insert(u"nonce"_s, grant.nonce);
        if (grant.scopes.has(u"email"_s))
            idToken.insert(u"email"_s, user.username);
        response.insert(u"id_token"_s, QString::fromLatin1(m_signer.sign(idToken)));
    }
    if (grant.clientInfo)
        response.insert(u"client_info"_s, clientInfo(user));
    if (!app.family.isEmpty())
        response.insert(u"foci"_s, app.family);
    return response;
}

QJsonObject TokenIssuer::issueForApp(const App &app, const QString &tenantId, const ScopeSet &scopes,
                                     const QString &claims, const QString &origin)
{
    const qint64 now = encoding::nowSecs();
    const qint64 lifetime = m_settings.accessTokenLifetime;
    // The service principal's object id differs per tenant, like a real multi-tenant app's.
    const QString servicePrincipal =
        encoding::stableGuid("sp:" + app.clientId.toUtf8() + ':' + tenantId.toUtf8());
    const QString uti = encoding::randomToken(16);
    QJsonObject accessToken{{u"aud"_s, scopes.resources.first()},
                            {u"iss"_s, u"%1/%2/"_s.arg(origin, tenantId)},
                            {u"iat"_s, now},
                            {u"nbf"_s, now},
                            {u"exp"_s, now + lifetime},
                            {u"appid"_s, app.clientId},
                            {u"appidacr"_s, u"1"_s},
                            {u"idp"_s, u"%1/%2/"_s.arg(origin, tenantId)},
                            {u"idtyp"_s, u"app"_s},
                            {u"oid"_s, servicePrincipal},
                            {u"sub"_s, servicePrincipal},
                            {u"tid"_s, tenantId},
                            {u"uti"_s, uti},
                            {u"jti"_s, uti},
                            {u"ver"_s, u"1.0"_s}};
    if (!claims.isEmpty())
        applyClaimsRequest(accessToken, claims);
    QJsonObject response{{u"token_type"_s, u"Bearer"_s},
                         {u"expires_in"_s, lifetime},
                         {u"ext_expires_in"_s, lifetime},
                         {u"access_token"_s, QString::fromLatin1(m_signer.sign(accessToken))}};
    if (m_settings.refreshIn > 0)
        response.insert(u"refresh_in"_s, m_settings.refreshIn);
    return response;
}

} // namespace azid::sandbox
