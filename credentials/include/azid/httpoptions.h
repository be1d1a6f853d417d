#pragma once

#include <QString>
#include <QUrl>
#include <QtGlobal>

#include <chrono>

namespace azid {

// How the library talks to an authority. Every credential takes one; the defaults are what a user
// expects: the system's CA certificates plus AZID_CA_BUNDLE / REQUESTS_CA_BUNDLE / SSL_CERT_FILE,
// HTTPS_PROXY or the system proxy, a timeout on every transfer and retries on transient failures.
struct HttpOptions
{
    QString caBundleFile; // extra CA certificates (PEM); empty: from the environment
    QUrl proxy;           // empty: HTTPS_PROXY, else the system's proxy settings
    std::chrono::milliseconds transferTimeout{30000};
    int maxRetries = 3;
    std::chrono::milliseconds retryBaseDelay{800}; // exponential: base, 2*base, 4*base; Retry-After wins
    std::chrono::milliseconds maxRetryDelay{60000};
    qint64 maxResponseBytes = 4 * 1024 * 1024; // a longer answer is cut off and reported, never kept
};

} // namespace azid
