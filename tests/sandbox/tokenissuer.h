#pragma once

#include "directory.h"
#include "grantstore.h"
#include "jwtsigner.h"
#include "settings.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace azid::sandbox {

// A requested scope string split the way Entra treats it: OIDC scopes plus scopes of one resource.
struct ScopeSet
{
    QStringList oidc;           // openid, profile, email, offline_access as requested
    QStringList resourceScopes; // everything else, verbatim, in request order
    QStringList resources;      // distinct resources among resourceScopes

    static ScopeSet parse(const QString &scope);
    static QString resourceOf(const QString &scope);
    bool has(const QString &oidcScope) const;
    // Only the scopes of the first resource, which is what Entra uses for refresh requests.
    ScopeSet firstResourceOnly() const;
};

// Turns a successful grant into the token response body: RFC 6749 §5.1's fields with Entra's v2
// additions (id_token, client_info, ext_expires_in, refresh_in, foci).
class TokenIssuer
{
public:
    struct UserGrant
    {
        const User *user = nullptr;
        const App *app = nullptr;
        QString tenantId;
        ScopeSet scopes;
        QString nonce;
        QString claims;
        bool clientInfo = false;
        bool interactive = false; // browser/device sign-in, where MFA was "performed"
        QString origin;
    };

    TokenIssuer(const JwtSigner &signer, const Settings &settings, GrantStore &store);

    QJsonObject issueForUser(const UserGrant &grant, int *issuedRefreshTokenId);
    QJsonObject issueForApp(const App &app, const QString &tenantId, const ScopeSet &scopes,
                            const QString &claims, const QString &origin);

    static QString clientInfo(const User &user);
    const JwtSigner &signer() const { return m_signer; }

private:
    const JwtSigner &m_signer;
    const Settings &m_settings;
    GrantStore &m_store;
};

} // namespace azid::sandbox
