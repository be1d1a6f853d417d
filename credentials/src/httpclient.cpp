#include "httpclient.h"

#include "logging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkProxyFactory>
#include <QNetworkReply>
#include <QPointer>
#include <QPromise>
#include <QSslCertificate>
#include <QSslError>
#include <QSysInfo>
#include <QThread>
#include <QTimer>
#include <QUuid>

#include <cmath>

namespace azid::detail {
namespace {

bool isRetryableStatus(int status)
{
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

bool hostMatchesNoProxy(const QString &host, const QByteArray &noProxy)
{
    for (QByteArray entry : noProxy.split(',')) {
        entry = entry.trimmed().toLower();
        if (entry.isEmpty())
            continue;
        if (entry == "*")
            return true;
        if (entry.startsWith('.'))
            entry = entry.mid(1);
        const QString e = QString::fromLatin1(entry);
        if (host == e || host.endsWith(QLatin1Char('.') + e))
            return true;
    }
    return false;
}

// HTTPS_PROXY (or https_proxy), with NO_PROXY and loopback addresses going direct; otherwise the
// system's settings.
class ProxyFactory final : public QNetworkProxyFactory
{
public:
    explicit ProxyFactory(QUrl explicitProxy) : m_explicit(std::move(explicitProxy)) {}

    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &query) override
    {
        const QString host = query.peerHostName().toLower();
        const QHostAddress address(host);
        const bool loopback =
            host == QStringLiteral("localhost") || (!address.isNull() && address.isLoopback());
        QUrl proxy = m_explicit;
        if (proxy.isEmpty()) {
            QByteArray env = qgetenv("HTTPS_PROXY");
            if (env.isEmpty())
                env = qgetenv("https_proxy");
            proxy = QUrl::fromUserInput(QString::fromLocal8Bit(env));
            QByteArray noProxy = qgetenv("NO_PROXY");
            if (noProxy.isEmpty())
                noProxy = qgetenv("no_proxy");
            if (!env.isEmpty() && hostMatchesNoProxy(host, noProxy))
                return {QNetworkProxy::NoProxy};
            if (env.isEmpty())
                return loopback ? QList<QNetworkProxy>{QNetworkProxy::NoProxy} : systemProxyForQuery(query);
        }
        if (loopback)
            return {QNetworkProxy::NoProxy};
        return {QNetworkProxy(QNetworkProxy::HttpProxy, proxy.host(), static_cast<quint16>(proxy.port(8080)),
                              proxy.userName(), proxy.password())};
    }

private:
    QUrl m_explicit;
};

// Whether the manager sends a request for `url` to a proxy.
bool goesThroughProxy(QNetworkAccessManager *network, const QUrl &url)
{
    const QList<QNetworkProxy> proxies = network->proxyFactory()->queryProxy(QNetworkProxyQuery(url));
    return !proxies.isEmpty() && proxies.first().type() != QNetworkProxy::NoProxy;
}

// Host and path for the log, without the user name that user-realm discovery puts in its path:
// personal data is not logged.
QString loggablePath(const QUrl &url)
{
    QString path = url.path();
    const qsizetype realm = path.indexOf(QLatin1String("/userrealm/"), 0, Qt::CaseInsensitive);
    if (realm >= 0)
        path = path.left(realm) + QStringLiteral("/userrealm/(user)");
    return url.host() + path;
}

const char *const hostMismatchProperty = "azidHostMismatch";

// Notes on the reply when its certificate names another host, so that the error can say so.
void watchForHostMismatch(QNetworkReply *reply)
{
    QObject::connect(reply, &QNetworkReply::sslErrors, reply, [reply](const QList<QSslError> &errors) {
        for (const QSslError &error : errors) {
            if (error.error() == QSslError::HostNameMismatch)
                reply->setProperty(hostMismatchProperty, true);
        }
    });
}

QString describeTransportError(QNetworkReply *reply, std::chrono::milliseconds timeout, bool timedOut)
{
    if (timedOut) {
        return QStringLiteral(
                   "No answer from %1 within %2 s. Check the network connection or proxy settings.")
            .arg(reply->url().host())
            .arg(timeout.count() / 1000.0);
    }
    QString text = reply->errorString();
    switch (reply->error()) {
    case QNetworkReply::SslHandshakeFailedError:
        if (reply->property(hostMismatchProperty).toBool()) {
            text += QStringLiteral(". The server's TLS certificate is for another host than %1: check the "
                                   "authority URL; if it is right, a proxy or DNS entry sends you elsewhere.")
                        .arg(reply->url().host());
            break;
        }
        text +=
            QStringLiteral(". The server's TLS certificate is not trusted: if a proxy or a test authority "
                           "uses its own CA, name its PEM file with --ca-bundle or AZID_CA_BUNDLE.");
        break;
    case QNetworkReply::RemoteHostClosedError:
        text += QStringLiteral(". The connection ended before the whole answer arrived.");
        break;
    case QNetworkReply::HostNotFoundError:
        text += QStringLiteral(". Check the authority host name and the network connection.");
        break;
    case QNetworkReply::ConnectionRefusedError:
        text += QStringLiteral(". Nothing is listening there: check the authority URL and port.");
        break;
    default:
        break;
    }
    return text;
}

const char *const bodyTooLargeProperty = "azidBodyTooLarge";

// Aborts the transfer as soon as the answer announces or reaches more than `limit` bytes, so a
// hostile or broken server cannot make the process buffer an endless body.
void abortWhenLargerThan(QNetworkReply *reply, qint64 limit)
{
    QObject::connect(reply, &QNetworkReply::downloadProgress, reply,
                     [reply, limit](qint64 received, qint64 total) {
                         if (received <= limit && total <= limit)
                             return;
                         reply->setProperty(bodyTooLargeProperty, true);
                         reply->abort();
                     });
}

QString describeBodyTooLarge(const QUrl &url, qint64 limit)
{
    return QStringLiteral(
               "The answer of %1 is larger than %2 KiB, more than any authority sends: Azid stopped "
               "reading it. Check the authority URL, and whether a proxy answers in its place.")
        .arg(url.host())
        .arg(limit / 1024);
}

} // namespace

ErrorReason transportReason(QNetworkReply::NetworkError error, bool throughProxy)
{
    switch (error) {
    case QNetworkReply::SslHandshakeFailedError:
        return ErrorReason::Tls;
    case QNetworkReply::OperationCanceledError: // the transfer timeout aborts the reply
    case QNetworkReply::TimeoutError:
    case QNetworkReply::ProxyTimeoutError:
        return ErrorReason::Timeout;
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
    case QNetworkReply::UnknownProxyError:
        return ErrorReason::Proxy;
    default:
        return throughProxy ? ErrorReason::Proxy : ErrorReason::Transport;
    }
}

QByteArray formEncode(const QList<QPair<QString, QString>> &form)
{
    QByteArray body;
    for (const auto &[name, value] : form) {
        if (value.isEmpty())
            continue; // as MSAL: empty parameters are left out
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

struct HttpClient::Attempt
{
    HttpRequest request;
    QPromise<HttpResponse> promise;
    QByteArray clientRequestId;
    int retriesDone = 0;
    QElapsedTimer elapsed;
};

HttpClient::HttpClient(const HttpOptions &options, QObject *parent) : QObject(parent), m_options(options)
{
    m_caBundleFile = options.caBundleFile;
    if (!m_caBundleFile.isEmpty()) {
        m_caBundleSource = QStringLiteral("--ca-bundle");
    } else {
        for (const char *variable : {"AZID_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"}) {
            const QString value = qEnvironmentVariable(variable);
            if (!value.isEmpty()) {
                m_caBundleFile = value;
                m_caBundleSource = QString::fromLatin1(variable);
                break;
            }
        }
    }
}

namespace {

// What the HttpClients of one thread with the same proxy and CA bundle share: one network manager,
// so that every credential reuses the connections (and TLS sessions) to a host, and the TLS
// configuration, the CA bundle read once. Qt's network classes belong to one thread, so each
// thread has its own.
struct NetworkStack
{
    QPointer<QNetworkAccessManager> network;
    QSslConfiguration ssl;
};

struct ThreadNetworkStacks
{
    QHash<QString, NetworkStack> stacks;

    ThreadNetworkStacks() = default;
    ThreadNetworkStacks(const ThreadNetworkStacks &) = delete;
    ThreadNetworkStacks &operator=(const ThreadNetworkStacks &) = delete;
    ~ThreadNetworkStacks() { deleteNetworks(); }

    void deleteNetworks()
    {
        for (const NetworkStack &stack : std::as_const(stacks))
            delete stack.network.data();
    }
};

thread_local ThreadNetworkStacks t_networkStacks;

// The managers of the application's thread go while the application is still there (closing their
// connections needs it); those of other threads at the end of their thread.
QCoreApplication *g_networksRegisteredWith = nullptr;

void deleteApplicationThreadNetworks()
{
    t_networkStacks.deleteNetworks();
    g_networksRegisteredWith = nullptr;
}

void deleteWithApplication()
{
    QCoreApplication *application = QCoreApplication::instance();
    if (!application || application->thread() != QThread::currentThread() ||
        g_networksRegisteredWith == application)
        return;
    qAddPostRoutine(deleteApplicationThreadNetworks);
    g_networksRegisteredWith = application;
}

} // namespace

// TLS, certificates and the network stack are set up on the first request: a token served from the
// cache never pays for them (the command line's start-up time and memory depend on it).
void HttpClient::ensureNetwork()
{
    if (m_network || !m_configurationError.isEmpty())
        return;
    const QString key = m_options.proxy.toString() + QChar(0x1f) + m_caBundleFile;
    auto stack = t_networkStacks.stacks.find(key);
    if (stack == t_networkStacks.stacks.end()) {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        if (!m_caBundleFile.isEmpty()) {
            // Added to the system's certificates: verification stays on, it only trusts more.
            const QList<QSslCertificate> extra = QSslCertificate::fromPath(m_caBundleFile, QSsl::Pem);
            if (extra.isEmpty()) {
                m_configurationError =
                    QStringLiteral("The CA bundle %1 (from %2) could not be read or holds no PEM "
                                   "certificate. Point %2 at a readable PEM file, or unset it.")
                        .arg(m_caBundleFile, m_caBundleSource);
                return; // not kept: the file may be there next time
            }
            ssl.addCaCertificates(extra);
            qCDebug(lcHttp) << "added" << extra.size() << "CA certificates from" << m_caBundleSource;
        }
        stack = t_networkStacks.stacks.insert(key, {nullptr, ssl});
    }
    if (!stack->network) {
        deleteWithApplication();
        stack->network = new QNetworkAccessManager;
        stack->network->setProxyFactory(new ProxyFactory(m_options.proxy));
        stack->network->setAutoDeleteReplies(true);
    }
    m_network = stack->network;
    m_ssl = stack->ssl;
}

// The shared manager outlives this client: what it still waits for is stopped, unanswered.
HttpClient::~HttpClient()
{
    for (const QPointer<QNetworkReply> &reply : std::as_const(m_replies)) {
        if (!reply)
            continue;
        reply->disconnect(this);
        reply->abort();
    }
}

QByteArray HttpClient::userAgent()
{
    static const QByteArray agent = QByteArrayLiteral("azid/" AZID_VERSION " (") +
                                    QSysInfo::kernelType().toUtf8() + QByteArrayLiteral(") Qt/") + qVersion();
    return agent;
}

qint64 HttpClient::parseRetryAfter(const QByteArray &value, qint64 nowEpoch)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return -1;
    bool ok = false;
    const double seconds = trimmed.toDouble(&ok);
    if (ok) {
        if (!std::isfinite(seconds) || seconds < 0)
            return -1;
        return static_cast<qint64>(std::ceil(std::min(seconds, 1e9)));
    }
    // HTTP dates name the zone "GMT", which Qt's RFC 2822 parser does not take.
    QString text = QString::fromLatin1(trimmed);
    if (text.endsWith(QLatin1String(" GMT")))
        text = text.chopped(4) + QLatin1String(" +0000");
    const QDateTime date = QDateTime::fromString(text, Qt::RFC2822Date);
    if (!date.isValid())
        return -1;
    return std::max<qint64>(0, date.toSecsSinceEpoch() - nowEpoch);
}

QFuture<HttpResponse> HttpClient::postForm(const QUrl &url, const QList<QPair<QString, QString>> &form,
                                           QList<QPair<QByteArray, QByteArray>> headers)
{
    HttpRequest request;
    request.method = "POST";
    request.url = url;
    request.headers = std::move(headers);
    request.headers.append(
        qMakePair(QByteArray("Content-Type"), QByteArray("application/x-www-form-urlencoded")));
    request.body = formEncode(form);
    return send(std::move(request));
}

QFuture<HttpResponse> HttpClient::send(HttpRequest request)
{
    auto attempt = std::make_shared<Attempt>();
    attempt->request = std::move(request);
    attempt->clientRequestId = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    attempt->promise.start();
    QFuture<HttpResponse> future = attempt->promise.future();
    ensureNetwork();
    if (!m_configurationError.isEmpty()) {
        HttpResponse response;
        response.transportError = m_configurationError;
        response.transportReason = ErrorReason::Configuration;
        attempt->promise.addResult(std::move(response));
        attempt->promise.finish();
        return future;
    }
    attempt->elapsed.start();
    start(std::move(attempt));
    return future;
}

void HttpClient::start(std::shared_ptr<Attempt> attempt)
{
    ensureNetwork(); // the thread's manager may have gone with the application since the last attempt
    const HttpRequest &r = attempt->request;
    QNetworkRequest request(r.url);
    request.setSslConfiguration(*m_ssl);
    request.setTransferTimeout(static_cast<int>(m_options.transferTimeout.count()));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setRawHeader("User-Agent", userAgent());
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("client-request-id", attempt->clientRequestId);
    request.setRawHeader("return-client-request-id", "true");
    request.setRawHeader("x-client-sku", "azid");
    request.setRawHeader("x-client-ver", AZID_VERSION);
    for (const auto &[name, value] : r.headers)
        request.setRawHeader(name, value);

    QNetworkReply *reply =
        r.method == "GET" ? m_network->get(request) : m_network->sendCustomRequest(request, r.method, r.body);
    abortWhenLargerThan(reply, m_options.maxResponseBytes);
    watchForHostMismatch(reply);
    m_replies.append(reply);
    connect(reply, &QNetworkReply::finished, this, [this, reply, attempt]() mutable {
        m_replies.removeAll(reply);
        HttpResponse response;
        response.clientRequestId = QString::fromLatin1(attempt->clientRequestId);
        const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
        response.status = status.isValid() ? status.toInt() : 0;
        const bool tooLarge = reply->property(bodyTooLargeProperty).toBool();
        const bool timedOut = !tooLarge && reply->error() == QNetworkReply::OperationCanceledError;
        // A network error after the status line: the body was cut off (reset, closed, timed out).
        const bool cutOff = !tooLarge && response.status != 0 && reply->error() > QNetworkReply::NoError &&
                            reply->error() < QNetworkReply::ProxyConnectionRefusedError;
        if (tooLarge) {
            response = HttpResponse{};
            response.clientRequestId = QString::fromLatin1(attempt->clientRequestId);
            response.transportError = describeBodyTooLarge(attempt->request.url, m_options.maxResponseBytes);
            response.transportReason = ErrorReason::Protocol;
        } else if (response.status == 0 || cutOff) {
            response.status = 0;
            response.transportError = describeTransportError(reply, m_options.transferTimeout, timedOut);
            response.transportReason =
                transportReason(reply->error(), goesThroughProxy(m_network, attempt->request.url));
        }
        for (const auto &[name, value] : reply->rawHeaderPairs())
            response.headers.insert(name.toLower(), value);
        if (response.status != 0)
            response.body = reply->readAll();

        const QUrl url = attempt->request.url;
        qCDebug(lcHttp).noquote() << attempt->request.method << loggablePath(url) << "->"
                                  << (response.status ? QString::number(response.status)
                                                      : response.transportError)
                                  << "client-request-id" << response.clientRequestId << "after"
                                  << attempt->elapsed.elapsed() << "ms";

        const bool retryable = !tooLarge && attempt->request.retryable &&
                               attempt->retriesDone < m_options.maxRetries &&
                               (response.status == 0 || isRetryableStatus(response.status));
        if (!retryable) {
            attempt->promise.addResult(std::move(response));
            attempt->promise.finish();
            return;
        }
        qint64 delayMs = m_options.retryBaseDelay.count() * (qint64(1) << attempt->retriesDone);
        const qint64 retryAfter =
            parseRetryAfter(response.header("retry-after"), QDateTime::currentSecsSinceEpoch());
        if (retryAfter >= 0)
            delayMs = retryAfter * 1000;
        delayMs = std::min<qint64>(delayMs, m_options.maxRetryDelay.count());
        ++attempt->retriesDone;
        qCInfo(lcHttp).noquote() << "retrying" << loggablePath(url) << "in" << delayMs << "ms (attempt"
                                 << attempt->retriesDone + 1 << "), last answer"
                                 << (response.status ? QString::number(response.status)
                                                     : response.transportError);
        QTimer::singleShot(std::chrono::milliseconds(delayMs), this, [this, attempt]() { start(attempt); });
    });
}

} // namespace azid::detail
