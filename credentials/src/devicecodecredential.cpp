#include "azid/devicecodecredential.h"

#include "futures.h"
#include "interactiverequest.h"
#include "logging.h"
#include "oauth.h"
#include "publicclient.h"

#include <QPromise>
#include <QTimer>

#include <cstdio>

namespace azid {

struct DevicePoll
{
    detail::TokenGrant grant;
    qint64 intervalSeconds = 5;
    qint64 deadline = 0;    // epoch seconds: when polling stops
    bool codeExpiry = true; // the deadline is the code's own expiry (not the caller's timeout)
    QPromise<Result<detail::TokenOutcome>> promise;
};

DeviceCodeCredential::DeviceCodeCredential(const DeviceCodeCredentialOptions &options, QObject *parent)
    : InteractiveCredential(options, parent), m_options(options)
{
    if (!m_options.promptCallback) {
        m_options.promptCallback = [](const QString &uri, const QString &code, const QDateTime &) {
            std::fprintf(stderr,
                         "To sign in, use a web browser to open the page %s and enter the code %s to "
                         "authenticate.\n",
                         qPrintable(uri), qPrintable(code));
            std::fflush(stderr);
        };
    }
}

QFuture<Result<detail::TokenOutcome>>
DeviceCodeCredential::requestToken(const detail::InteractiveRequest &request)
{
    using Outcome = Result<detail::TokenOutcome>;
    return client().withEndpoints(
        request.tenant, this, [this, request](const detail::AuthorityEndpoints &endpoints) {
            if (endpoints.deviceCode.isEmpty()) {
                return detail::ready(Outcome(AuthError::unavailable(
                    QStringLiteral("The authority %1 does not offer the device code flow (its OpenID "
                                   "configuration has no device_authorization_endpoint).")
                        .arg(endpoints.environment))));
            }
            const QList<QPair<QString, QString>> form{
                {QStringLiteral("client_id"), client().clientId()},
                {QStringLiteral("scope"), detail::decorateScopes(request.scopes)},
                {QStringLiteral("claims"), request.claims}};
            return client()
                .http()
                ->postForm(endpoints.deviceCode, form)
                .then(QtFuture::Launch::Sync,
                      detail::guarded(this,
                                      [this, request](const detail::HttpResponse &response) {
                                          return startPolling(request, response);
                                      }))
                .unwrap();
        });
}

QFuture<Result<detail::TokenOutcome>>
DeviceCodeCredential::startPolling(const detail::InteractiveRequest &request,
                                   const detail::HttpResponse &response)
{
    using Outcome = Result<detail::TokenOutcome>;
    const auto parsed =
        detail::parseDeviceCodeResponse(response, QStringLiteral("Couldn't begin authentication"));
    if (!parsed.ok())
        return detail::ready(Outcome(parsed.error()));
    const detail::DeviceCodeResponse &code = parsed.value();
    const qint64 now = client().clock().now();

    auto poll = std::make_shared<DevicePoll>();
    poll->intervalSeconds = code.interval;
    poll->deadline = now + code.expiresIn;
    if (m_options.timeout && m_options.timeout->count() < code.expiresIn) {
        poll->deadline = now + m_options.timeout->count();
        poll->codeExpiry = false;
    }
    poll->grant = detail::userGrant(request, QStringLiteral("urn:ietf:params:oauth:grant-type:device_code"));
    poll->grant.form = {
        {QStringLiteral("grant_type"), QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")},
        {QStringLiteral("device_code"), code.deviceCode}};
    poll->promise.start();

    m_options.promptCallback(code.verificationUri, code.userCode,
                             QDateTime::fromSecsSinceEpoch(now + code.expiresIn, Qt::UTC));
    pollOnce(poll);
    return poll->promise.future();
}

void DeviceCodeCredential::pollOnce(std::shared_ptr<DevicePoll> poll)
{
    if (poll->promise.isCanceled()) {
        poll->promise.finish();
        return;
    }
    client()
        .requestToken(poll->grant)
        .then(QtFuture::Launch::Sync,
              detail::guarded(this, [this, poll](const Result<detail::TokenOutcome> &outcome) {
                  auto finish = [&poll](Result<detail::TokenOutcome> result) {
                      poll->promise.addResult(std::move(result));
                      poll->promise.finish();
                  };
                  if (outcome.ok()) {
                      finish(outcome);
                      return;
                  }
                  const AuthError &error = outcome.error();
                  const bool pending = error.oauthError == QStringLiteral("authorization_pending");
                  if (error.oauthError == QStringLiteral("slow_down"))
                      poll->intervalSeconds =
                          std::min(poll->intervalSeconds + 5, detail::limits::MaxPollInterval);
                  else if (!pending) {
                      AuthError failed = error;
                      if (error.oauthError == QStringLiteral("authorization_declined"))
                          failed.message =
                              QStringLiteral("Authentication failed: the sign-in was declined on the "
                                             "verification page. Start again to retry.");
                      else if (error.oauthError == QStringLiteral("expired_token"))
                          failed.message = QStringLiteral(
                              "Authentication failed: the device code expired before the sign-in "
                              "was completed. Start again for a new code.");
                      else if (error.oauthError == QStringLiteral("bad_verification_code"))
                          failed.message =
                              QStringLiteral("Authentication failed: the authority does not know this device "
                                             "code. Start again for a new code.");
                      finish(failed);
                      return;
                  }
                  const qint64 next = client().clock().now() + poll->intervalSeconds;
                  if (next > poll->deadline) {
                      AuthError timedOut = error;
                      timedOut.message =
                          poll->codeExpiry
                              ? QStringLiteral("Timed out waiting for user to authenticate: the device code "
                                               "expired. Start again for a new code.")
                              : QStringLiteral("Timed out waiting for user to authenticate.");
                      finish(timedOut);
                      return;
                  }
                  QTimer::singleShot(std::chrono::seconds(poll->intervalSeconds), this,
                                     [this, poll]() { pollOnce(poll); });
              }));
}

} // namespace azid
