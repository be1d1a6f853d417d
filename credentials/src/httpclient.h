#pragma once

#include "azid/errors.h"
#include "azid/httpoptions.h"

#include <QByteArray>
#include <QFuture>
#include <QHash>
#include <QList>
#include <QNetworkReply>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslConfiguration>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;

namespace azid::detail {

struct HttpRequest
{
    QByteArray method = "GET";
    QUrl url;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool retryable = true;
};

struct HttpResponse
{
    int status = 0;                                  // 0: no HTTP answer (see transportError)
    QString transportError;                          // why no answer arrived, for a person
    ErrorReason transportReason = ErrorReason::None; // why no answer arrived, for code
    QHash<QByteArray, QByteArray> headers;           // names lower-cased
    QByteArray body;
    QString clientRequestId; // the id this request was sent with

    bool isSuccess() const { return status >= 200 && status < 300; }
    QByteArray header(const QByteArray &lowerCaseName) const { return headers.value(lowerCaseName); }
};

// The library's HTTP pipeline: TLS with the extra CA bundle, proxy, User-Agent, client-request-id,
// a transfer timeout on every request, and retries with exponential back-off and Retry-After on
// 408/429/500/502/503/504 and transport failures. Logs method, host, path, status and ids only.
class HttpClient : public QObject
{
    Q_OBJECT
public:
    explicit HttpClient(const HttpOptions &options = {}, QObject *parent = nullptr);
    ~HttpClient() override;

    QFuture<HttpResponse> send(HttpRequest request);
    QFuture<HttpResponse> postForm(const QUrl &url, const QList<QPair<QString, QString>> &form,
                                   QList<QPair<QByteArray, QByteArray>> headers = {});

    static QByteArray userAgent();
    // The CA bundle in force and where it came from, for messages.
    QString caBundleFile() const { return m_caBundleFile; }

    // Seconds from a Retry-After header (delta-seconds or an HTTP date), or -1.
    static qint64 parseRetryAfter(const QByteArray &value, qint64 nowEpoch);

private:
    struct Attempt;
    void start(std::shared_ptr<Attempt> attempt);
    void ensureNetwork();

    HttpOptions m_options;
    // The thread's manager for this proxy and CA bundle (shared, see ensureNetwork()).
    QPointer<QNetworkAccessManager> m_network;
    QList<QPointer<QNetworkReply>> m_replies; // sent, not yet finished
    // Set in ensureNetwork(): even a default-constructed QSslConfiguration loads the TLS backend.
    std::optional<QSslConfiguration> m_ssl;
    QString m_caBundleFile;
    QString m_caBundleSource;
    QString m_configurationError;
};

QByteArray formEncode(const QList<QPair<QString, QString>> &form);

// Why a reply brought no HTTP answer: Tls, Proxy, Timeout (an aborted reply: the clients abort
// only when their time is up) or Transport. `throughProxy`: the request went to a proxy, so the
// connection that failed was the proxy's (Qt 6.4 names a refused HTTPS proxy UnknownNetworkError).
ErrorReason transportReason(QNetworkReply::NetworkError error, bool throughProxy);

} // namespace azid::detail
