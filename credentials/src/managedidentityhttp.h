#pragma once

#include "httpclient.h"

#include <QByteArray>
#include <QFuture>
#include <QList>
#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace azid::detail {

// When a managed identity request is sent again.
struct ManagedIdentityRetryPolicy
{
    int maxRetries = 3;          // answers with a retryable status
    int maxTransportRetries = 3; // no answer at all (within maxRetries)
    std::function<bool(int status)> retryableStatus;
    // How long to wait before retry number `retry` (from 1) after `status`; Retry-After wins.
    std::function<std::chrono::milliseconds(int retry, int status)> delay;
    std::chrono::milliseconds maxDelay{120000};

    // HttpClient's policy: 408/429/500/502/503/504, exponential from base.
    static ManagedIdentityRetryPolicy standard(int maxRetries, std::chrono::milliseconds base,
                                               std::chrono::milliseconds maxDelay);
    static ManagedIdentityRetryPolicy none();
};

struct ManagedIdentityTransport
{
    std::chrono::milliseconds connectTimeout{0}; // 0: only the transfer timeout applies
    std::chrono::milliseconds transferTimeout{30000};
    // Lower-case hex SHA-1 of the one server certificate to trust instead of any CA (Service Fabric).
    QByteArray pinnedSha1;
};

struct ManagedIdentityReply
{
    HttpResponse http;
    bool certificateRejected = false; // the server's certificate did not match the pin
};

// The HTTP client of managed identity endpoints. They are plain http on loopback or link-local
// addresses (and Service Fabric's https with a pinned certificate), on the machine itself: never
// through a proxy. Unlike HttpClient it lets each source choose its retries and a connection
// timeout, as azure.identity does for IMDS. Logs method, host, path, status and ids only.
class ManagedIdentityHttp : public QObject
{
    Q_OBJECT
public:
    explicit ManagedIdentityHttp(QObject *parent = nullptr);
    ~ManagedIdentityHttp() override;

    QFuture<ManagedIdentityReply> send(HttpRequest request, ManagedIdentityRetryPolicy policy,
                                       ManagedIdentityTransport transport);

    static QByteArray certificateSha1(const QByteArray &der);

private:
    struct Attempt;
    struct ReplyState;
    void start(std::shared_ptr<Attempt> attempt);
    static QNetworkRequest networkRequest(const Attempt &attempt);
    void watchPin(QNetworkReply *reply, const QByteArray &pin, std::shared_ptr<ReplyState> state);
    static ManagedIdentityReply readReply(QNetworkReply *reply, const Attempt &attempt,
                                          const ReplyState &state);
    // Logs the answer, then hands it over or tries again.
    void onFinished(QNetworkReply *reply, std::shared_ptr<Attempt> attempt, const ReplyState &state);

    QNetworkAccessManager *m_network;
};

} // namespace azid::detail
