#include "managedidentityhttp.h"

#include "logging.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QPromise>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>
#include <QUuid>

namespace azid::detail {

ManagedIdentityRetryPolicy ManagedIdentityRetryPolicy::standard(int maxRetries,
                                                                std::chrono::milliseconds base,
                                                                std::chrono::milliseconds maxDelay)
{
    ManagedIdentityRetryPolicy policy;
    policy.maxRetries = maxRetries;
    policy.maxTransportRetries = maxRetries;
    policy.retryableStatus = [](int status) {
        return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 ||
               status == 504;
    };
    policy.delay = [base](int retry, int) {
        return std::chrono::milliseconds(base.count() * (qint64(1) << std::min(retry - 1, 20)));
    };
    policy.maxDelay = maxDelay;
    return policy;
}

ManagedIdentityRetryPolicy ManagedIdentityRetryPolicy::none()
{
    ManagedIdentityRetryPolicy policy;
    policy.maxRetries = 0;
    policy.maxTransportRetries = 0;
    policy.retryableStatus = [](int) { return false; };
    policy.delay = [](int, int) { return std::chrono::milliseconds(0); };
    return policy;
}

struct ManagedIdentityHttp::Attempt
{
    HttpRequest request;
    ManagedIdentityRetryPolicy policy;
    ManagedIdentityTransport transport;
    QPromise<ManagedIdentityReply> promise;
    QByteArray clientRequestId;
    int retriesDone = 0;
    int transportRetriesDone = 0;
    QElapsedTimer elapsed;
};

ManagedIdentityHttp::ManagedIdentityHttp(QObject *parent)
    : QObject(parent), m_network(new QNetworkAccessManager(this))
{
    // The endpoints are on this machine (or its link-local IMDS): a proxy could only get in the way,
    // or see the secrets that go with the requests.
    m_network->setProxy(QNetworkProxy::NoProxy);
    m_network->setAutoDeleteReplies(true);
}

ManagedIdentityHttp::~ManagedIdentityHttp() = default;

QByteArray ManagedIdentityHttp::certificateSha1(const QByteArray &der)
{
    return QCryptographicHash::hash(der, QCryptographicHash::Sha1).toHex();
}

QFuture<ManagedIdentityReply> ManagedIdentityHttp::send(HttpRequest request,
                                                        ManagedIdentityRetryPolicy policy,
                                                        ManagedIdentityTransport transport)
{
    auto attempt = std::make_shared<Attempt>();
    attempt->request = std::move(request);
    attempt->policy = std::move(policy);
    attempt->transport = std::move(transport);
    attempt->clientRequestId = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    attempt->promise.start();
    QFuture<ManagedIdentityReply> future = attempt->promise.future();
    attempt->elapsed.start();
    start(std::move(attempt));
    return future;
}

struct ManagedIdentityHttp::ReplyState
{
    bool pinRejected = false;     // the server's certificate is not the pinned one
    bool connectTimedOut = false; // nothing was sent within the connection timeout
};

void ManagedIdentityHttp::start(std::shared_ptr<Attempt> attempt)
{
    const HttpRequest &r = attempt->request;
    const QNetworkRequest request = networkRequest(*attempt);
    QNetworkReply *reply =
        r.method == "GET" ? m_network->get(request) : m_network->sendCustomRequest(request, r.method, r.body);
    auto state = std::make_shared<ReplyState>();
    if (!attempt->transport.pinnedSha1.isEmpty())
        watchPin(reply, attempt->transport.pinnedSha1, state);
    if (attempt->transport.connectTimeout.count() > 0) {
        auto *timer = new QTimer(reply);
        timer->setSingleShot(true);
        connect(timer, &QTimer::timeout, reply, [reply, state]() {
            state->connectTimedOut = true;
            reply->abort();
        });
        connect(reply, &QNetworkReply::requestSent, timer, &QTimer::stop);
        timer->start(attempt->transport.connectTimeout);
    }
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, attempt, state]() { onFinished(reply, attempt, *state); });
}

QNetworkRequest ManagedIdentityHttp::networkRequest(const Attempt &attempt)
{
    const HttpRequest &r = attempt.request;
    QNetworkRequest request(r.url);
    request.setTransferTimeout(static_cast<int>(attempt.transport.transferTimeout.count()));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setRawHeader("User-Agent", HttpClient::userAgent());
    request.setRawHeader("x-ms-client-request-id", attempt.clientRequestId);
    request.setRawHeader("x-client-sku", "azid");
    request.setRawHeader("x-client-ver", AZID_VERSION);
    for (const auto &[name, value] : r.headers)
        request.setRawHeader(name, value);
    if (!attempt.transport.pinnedSha1.isEmpty()) {
        // No CA is trusted, so every handshake reports errors; they are waived only for the one
        // certificate whose thumbprint the environment names. Nothing is sent before that decision.
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.setCaCertificates({});
        ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
        request.setSslConfiguration(ssl);
    }
    return request;
}

void ManagedIdentityHttp::watchPin(QNetworkReply *reply, const QByteArray &pin,
                                   std::shared_ptr<ReplyState> state)
{
    auto matches = [reply, pin]() {
        const QSslCertificate peer = reply->sslConfiguration().peerCertificate();
        return !peer.isNull() && certificateSha1(peer.toDer()) == pin;
    };
    connect(reply, &QNetworkReply::sslErrors, this, [reply, matches, state](const QList<QSslError> &) {
        if (matches())
            reply->ignoreSslErrors();
        else
            state->pinRejected = true;
    });
    connect(reply, &QNetworkReply::encrypted, this, [reply, matches, state]() {
        if (!matches()) {
            state->pinRejected = true;
            reply->abort();
        }
    });
}

ManagedIdentityReply ManagedIdentityHttp::readReply(QNetworkReply *reply, const Attempt &attempt,
                                                    const ReplyState &state)
{
    ManagedIdentityReply result;
    HttpResponse &response = result.http;
    response.clientRequestId = QString::fromLatin1(attempt.clientRequestId);
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    response.status = status.isValid() ? status.toInt() : 0;
    result.certificateRejected = state.pinRejected;
    if (response.status == 0) {
        const QString host = reply->url().host();
        if (state.pinRejected) {
            response.transportError =
                QStringLiteral("the TLS certificate of %1 does not have the thumbprint the environment names")
                    .arg(host);
        } else if (state.connectTimedOut) {
            response.transportError = QStringLiteral("no connection to %1 within %2 ms")
                                          .arg(host)
                                          .arg(attempt.transport.connectTimeout.count());
        } else if (reply->error() == QNetworkReply::OperationCanceledError) {
            response.transportError = QStringLiteral("no answer from %1 within %2 ms")
                                          .arg(host)
                                          .arg(attempt.transport.transferTimeout.count());
        } else {
            response.transportError = reply->errorString();
        }
        response.transportReason = state.pinRejected       ? ErrorReason::Tls
                                   : state.connectTimedOut ? ErrorReason::Timeout
                                                           : transportReason(reply->error(), false);
    }
    for (const auto &[name, value] : reply->rawHeaderPairs())
        response.headers.insert(name.toLower(), value);
    if (reply->isOpen())
        response.body = reply->readAll();
    return result;
}

void ManagedIdentityHttp::onFinished(QNetworkReply *reply, std::shared_ptr<Attempt> attempt,
                                     const ReplyState &state)
{
    ManagedIdentityReply result = readReply(reply, *attempt, state);
    const HttpResponse &response = result.http;
    const QUrl url = attempt->request.url;
    qCDebug(lcHttp).noquote() << attempt->request.method << url.host() + url.path() << "->"
                              << (response.status ? QString::number(response.status)
                                                  : response.transportError)
                              << "x-ms-client-request-id" << response.clientRequestId << "after"
                              << attempt->elapsed.elapsed() << "ms";

    const ManagedIdentityRetryPolicy &policy = attempt->policy;
    bool retry = false;
    if (attempt->retriesDone < policy.maxRetries && !state.pinRejected) {
        if (response.status == 0)
            retry = attempt->transportRetriesDone < policy.maxTransportRetries;
        else
            retry = policy.retryableStatus && policy.retryableStatus(response.status);
    }
    if (!retry) {
        attempt->promise.addResult(std::move(result));
        attempt->promise.finish();
        return;
    }
    ++attempt->retriesDone;
    if (response.status == 0)
        ++attempt->transportRetriesDone;
    qint64 delayMs = policy.delay ? policy.delay(attempt->retriesDone, response.status).count() : 0;
    const qint64 retryAfter =
        HttpClient::parseRetryAfter(response.header("retry-after"), QDateTime::currentSecsSinceEpoch());
    if (retryAfter >= 0)
        delayMs = retryAfter * 1000;
    delayMs = std::min<qint64>(delayMs, policy.maxDelay.count());
    qCInfo(lcHttp).noquote() << "retrying" << url.host() + url.path() << "in" << delayMs << "ms (attempt"
                             << attempt->retriesDone + 1 << "), last answer"
                             << (response.status ? QString::number(response.status)
                                                 : response.transportError);
    QTimer::singleShot(std::chrono::milliseconds(delayMs), this, [this, attempt]() { start(attempt); });
}

} // namespace azid::detail
