#include "azid/interactivebrowsercredential.h"

#include "futures.h"
#include "interactiverequest.h"
#include "logging.h"
#include "loopbackserver.h"
#include "oauth.h"
#include "publicclient.h"

#include <QPromise>
#include <QTimer>
#include <QUrlQuery>

namespace azid {
namespace {

// Entra: select_account, as azure.identity sends. A generic OpenID provider issues refresh tokens
// only when consent was asked for (OpenID Connect Core 11), and may not know select_account.
QString promptFor(const detail::AuthorityEndpoints &endpoints)
{
    if (endpoints.entra)
        return QStringLiteral("select_account");
    if (endpoints.promptValuesSupported.contains(QStringLiteral("select_account")))
        return QStringLiteral("select_account consent");
    return QStringLiteral("consent");
}

using Outcome = Result<detail::TokenOutcome>;

// What one sign-in sends in the authorization request, and again with the code it brings back.
struct SignIn
{
    QString state;
    QString redirectUri;
    detail::Pkce pkce;
    QString nonce;
};

AuthError listenError(quint16 port, const QString &why)
{
    return AuthError::unavailable(
        QStringLiteral("Couldn't start an HTTP server on 127.0.0.1:%1 for the sign-in redirect "
                       "(%2). Choose another port with redirect_uri, or leave it out.")
            .arg(port)
            .arg(why));
}

// Form encoding: '+' and '&' inside values must not be read as separators.
QString formEncoded(const QUrlQuery &query)
{
    QString encoded;
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (!encoded.isEmpty())
            encoded += QLatin1Char('&');
        encoded += QString::fromLatin1(QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value));
    }
    return encoded;
}

QUrl authorizationUrl(const detail::AuthorityEndpoints &endpoints, const detail::InteractiveRequest &request,
                      const SignIn &signIn, const QString &clientId, const QString &loginHint)
{
    QUrl url = endpoints.authorization;
    QUrlQuery query(url);
    query.addQueryItem(QStringLiteral("client_id"), clientId);
    query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    query.addQueryItem(QStringLiteral("redirect_uri"), signIn.redirectUri);
    query.addQueryItem(QStringLiteral("scope"), detail::decorateScopes(request.scopes));
    query.addQueryItem(QStringLiteral("state"), signIn.state);
    query.addQueryItem(QStringLiteral("nonce"), signIn.nonce);
    query.addQueryItem(QStringLiteral("code_challenge"), signIn.pkce.challenge);
    query.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    query.addQueryItem(QStringLiteral("client_info"), QStringLiteral("1"));
    const QString prompt = promptFor(endpoints);
    if (!prompt.isEmpty())
        query.addQueryItem(QStringLiteral("prompt"), prompt);
    if (!loginHint.isEmpty())
        query.addQueryItem(QStringLiteral("login_hint"), loginHint);
    if (!request.claims.isEmpty())
        query.addQueryItem(QStringLiteral("claims"), request.claims);
    url.setQuery(formEncoded(query), QUrl::StrictMode);
    return url;
}

AuthError redirectError(const detail::AuthorizationRedirect &redirect)
{
    AuthError error = AuthError::authentication(
        QStringLiteral("Authentication failed: %1%2")
            .arg(redirect.error, redirect.errorDescription.isEmpty()
                                     ? QString()
                                     : QStringLiteral(": ") + redirect.errorDescription));
    error.oauthError = redirect.error;
    return error;
}

// The authorization code grant for the code the redirect brought.
detail::TokenGrant codeGrant(const detail::InteractiveRequest &request, const SignIn &signIn,
                             const detail::AuthorizationRedirect &redirect)
{
    detail::TokenGrant grant = detail::userGrant(request, QStringLiteral("authorization_code"));
    grant.expectedNonce = signIn.nonce;
    grant.form = {{QStringLiteral("grant_type"), QStringLiteral("authorization_code")},
                  {QStringLiteral("code"), redirect.code},
                  {QStringLiteral("redirect_uri"), signIn.redirectUri},
                  {QStringLiteral("code_verifier"), signIn.pkce.verifier.revealString()}};
    if (const auto info = detail::decodeClientInfo(redirect.clientInfo.toLatin1())) {
        grant.headers.append(
            {"X-AnchorMailbox", QStringLiteral("Oid:%1@%2").arg(info->uid, info->utid).toUtf8()});
    }
    return grant;
}

// Ends the sign-in with the first outcome (the token, the deadline, a browser that did not open)
// and stops listening; later ones are ignored.
auto finisher(std::shared_ptr<QPromise<Outcome>> promise, detail::LoopbackServer *server)
{
    return [promise, server](Outcome outcome) {
        if (promise->future().isFinished())
            return;
        server->close();
        server->deleteLater();
        promise->addResult(std::move(outcome));
        promise->finish();
    };
}

} // namespace

InteractiveBrowserCredential::InteractiveBrowserCredential(const InteractiveBrowserCredentialOptions &options,
                                                           QObject *parent)
    : InteractiveCredential(options, parent), m_options(options)
{
    if (!m_options.openBrowser)
        m_options.openBrowser = systemBrowserOpener();
    if (!m_options.redirectUri.isEmpty()) {
        // Sent as given (host, port and path); the listener binds 127.0.0.1 and [::1] on its port, so the
        // host must name this machine's loopback and the scheme be plain http.
        const QUrl uri(m_options.redirectUri, QUrl::StrictMode);
        const QString host = uri.host().toLower();
        if (!uri.isValid() || uri.scheme() != QStringLiteral("http") || uri.port() <= 0 ||
            (host != QStringLiteral("localhost") && host != QStringLiteral("127.0.0.1")) ||
            uri.hasFragment()) {
            setConfigurationError(AuthError::unavailable(
                QStringLiteral("\"redirect_uri\" must be an http URL on localhost or 127.0.0.1 with a port, "
                               "such as http://localhost:8400 (got \"%1\").")
                    .arg(m_options.redirectUri)));
        } else {
            m_port = static_cast<quint16>(uri.port());
        }
    }
}

QFuture<Result<detail::TokenOutcome>>
InteractiveBrowserCredential::requestToken(const detail::InteractiveRequest &request)
{
    return client().withEndpoints(
        request.tenant, this, [this, request](const detail::AuthorityEndpoints &endpoints) {
            SignIn signIn;
            signIn.state = detail::randomLetters(16);
            auto *server = new detail::LoopbackServer(signIn.state, this);
            if (!server->listen(m_port)) {
                const QString why = server->errorString();
                server->deleteLater();
                return detail::ready(Outcome(listenError(m_port, why)));
            }
            // The redirect URI the application registered is sent exactly as given; without one, the
            // listener's port on localhost (on 127.0.0.1 where only that is bound).
            signIn.redirectUri =
                m_options.redirectUri.isEmpty()
                    ? QStringLiteral("http://%1:%2").arg(server->redirectHost()).arg(server->port())
                    : m_options.redirectUri;
            signIn.pkce = detail::generatePkce();
            signIn.nonce = detail::sha256Hex(detail::randomLetters(16));
            const QUrl url =
                authorizationUrl(endpoints, request, signIn, client().clientId(), m_options.loginHint);

            auto promise = std::make_shared<QPromise<Outcome>>();
            promise->start();
            const auto finish = finisher(promise, server);

            auto *deadline = new QTimer(server);
            deadline->setSingleShot(true);
            connect(deadline, &QTimer::timeout, server, [finish, this]() {
                finish(AuthError::authentication(
                    QStringLiteral("Authentication failed: User did not complete the flow in time (%1 s). "
                                   "Sign in again and finish in the browser window that opens.")
                        .arg(m_options.timeout.count())));
            });
            deadline->start(m_options.timeout);

            connect(server, &detail::LoopbackServer::redirectReceived, this,
                    [this, finish, request, signIn, deadline](const detail::AuthorizationRedirect &redirect) {
                        deadline->stop();
                        if (!redirect.error.isEmpty()) {
                            finish(redirectError(redirect));
                            return;
                        }
                        client()
                            .requestToken(codeGrant(request, signIn, redirect))
                            .then(QtFuture::Launch::Sync, detail::guarded(this, finish));
                    });

            qCInfo(lcCredentials) << "waiting for the sign-in redirect on 127.0.0.1 port" << server->port();
            if (!m_options.openBrowser(url)) {
                finish(AuthError::unavailable(
                    QStringLiteral("Failed to open a browser. Set $BROWSER to a browser command, or sign in "
                                   "with the device code flow.")));
            }
            return promise->future();
        });
}

} // namespace azid
