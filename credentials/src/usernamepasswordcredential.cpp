#include "azid/usernamepasswordcredential.h"

#include "futures.h"
#include "interactiverequest.h"
#include "oauth.h"
#include "publicclient.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace azid {
namespace {

// Says what a refused password sign-in means for the person and what to do instead.
AuthError explainPasswordError(AuthError error, const QString &username)
{
    const auto has = [&error](int code) { return error.hasCode(code); };
    QString advice;
    if (has(50126))
        advice = QStringLiteral("The user name or password is incorrect. Check both and try again.");
    else if (has(50076) || has(50079) || error.suberror == QStringLiteral("basic_action") ||
             error.suberror == QStringLiteral("additional_action"))
        advice =
            QStringLiteral("%1 must use multi-factor authentication%2, which a password sign-in cannot do. "
                           "Sign in with the browser or device code flow instead.")
                .arg(username, has(50079) ? QStringLiteral(" (and register for it first)") : QString());
    else if (has(65001) || error.suberror == QStringLiteral("consent_required") ||
             error.oauthError == QStringLiteral("consent_required"))
        advice =
            QStringLiteral("The application has not been granted consent for these permissions. Sign in once "
                           "with the browser flow to grant consent, or ask an administrator to grant it for "
                           "the organisation.");
    else if (has(50055) || error.suberror == QStringLiteral("user_password_expired"))
        advice =
            QStringLiteral("The password has expired. Change it (for example by signing in at the browser "
                           "flow), then try again.");
    else if (has(50053))
        advice =
            QStringLiteral("The account is locked after too many sign-in attempts. Wait, then try again.");
    else if (has(50057))
        advice = QStringLiteral("The account is disabled. Ask an administrator.");
    else if (has(50034) || has(50020))
        advice = QStringLiteral("There is no such user in this tenant. Check the user name and the tenant.");
    else if (has(9001023))
        advice = QStringLiteral("Password sign-in needs a tenant id or 'organizations', not 'common' or "
                                "'consumers'. Pass --tenant.");
    if (!advice.isEmpty())
        error.message = QStringLiteral("Authentication failed: ") + advice;
    return error;
}

} // namespace

UsernamePasswordCredential::UsernamePasswordCredential(const UsernamePasswordCredentialOptions &options,
                                                       QObject *parent)
    : InteractiveCredential(options, parent), m_username(options.username), m_password(options.password)
{
    if (m_username.isEmpty())
        setConfigurationError(
            AuthError::unavailable(QStringLiteral("A user name is required for password sign-in.")));
}

QFuture<Result<detail::TokenOutcome>>
UsernamePasswordCredential::requestToken(const detail::InteractiveRequest &request)
{
    using Outcome = Result<detail::TokenOutcome>;
    return client().withEndpoints(request.tenant, this, [this, request](const detail::AuthorityEndpoints &) {
        QUrl realmUrl = client().host().base;
        realmUrl.setPath(QStringLiteral("/common/userrealm/") + m_username);
        realmUrl.setQuery(QStringLiteral("api-version=1.0"));
        detail::HttpRequest realmRequest;
        realmRequest.url = realmUrl;
        return client()
            .http()
            ->send(realmRequest)
            .then(
                QtFuture::Launch::Sync,
                detail::guarded(
                    this,
                    [this, request](const detail::HttpResponse &realm) {
                        const QJsonObject body = QJsonDocument::fromJson(realm.body).object();
                        // 404: the authority has no realm discovery (not Entra); go on with a plain
                        // password grant.
                        if (realm.status != 404 && !realm.isSuccess())
                            return detail::ready(Outcome(detail::errorFromResponse(
                                realm, QStringLiteral("Couldn't look up how %1 signs in").arg(m_username))));
                        if (body.value(QStringLiteral("account_type")).toString() ==
                            QStringLiteral("Federated")) {
                            return detail::ready(Outcome(AuthError::authentication(
                                QStringLiteral("Authentication failed: %1 is a federated account (its "
                                               "organisation signs users in at %2). Azid cannot sign "
                                               "federated accounts in with a password; use the browser or "
                                               "device code flow.")
                                    .arg(m_username,
                                         QUrl(body.value(QStringLiteral("federation_active_auth_url"))
                                                  .toString())
                                             .host()))));
                        }
                        detail::TokenGrant grant = detail::userGrant(request, QStringLiteral("password"));
                        grant.form = {{QStringLiteral("grant_type"), QStringLiteral("password")},
                                      {QStringLiteral("username"), m_username},
                                      {QStringLiteral("password"), m_password.revealString()}};
                        grant.headers.append(
                            {"X-AnchorMailbox", QByteArrayLiteral("upn:") + m_username.toUtf8()});
                        return client().requestToken(grant).then(
                            QtFuture::Launch::Sync, detail::guarded(this, [this](const Outcome &outcome) {
                                return outcome.ok()
                                           ? outcome
                                           : Outcome(explainPasswordError(outcome.error(), m_username));
                            }));
                    }))
            .unwrap();
    });
}

} // namespace azid
