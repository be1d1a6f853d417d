#pragma once

#include "azid/interactivecredential.h"

#include <QDateTime>

#include <chrono>
#include <functional>
#include <optional>

namespace azid {

namespace detail {
struct HttpResponse;
}
struct DevicePoll;

// Called once the authority has issued a code: show the person the page and the code.
using DeviceCodePrompt =
    std::function<void(const QString &verificationUri, const QString &userCode, const QDateTime &expiresOn)>;

struct DeviceCodeCredentialOptions : InteractiveCredentialOptions
{
    DeviceCodePrompt promptCallback; // empty: the authority's message is written to stderr
    // Stop polling after this long, when it is shorter than the code's own lifetime.
    std::optional<std::chrono::seconds> timeout;
};

// The device authorization grant: the person signs in on any device with a short code while this
// process polls the token endpoint.
class DeviceCodeCredential final : public InteractiveCredential
{
    Q_OBJECT
public:
    explicit DeviceCodeCredential(const DeviceCodeCredentialOptions &options = {}, QObject *parent = nullptr);
    QString name() const override { return QStringLiteral("DeviceCodeCredential"); }

protected:
    QFuture<Result<detail::TokenOutcome>> requestToken(const detail::InteractiveRequest &request) override;

private:
    QFuture<Result<detail::TokenOutcome>> startPolling(const detail::InteractiveRequest &request,
                                                       const detail::HttpResponse &response);
    void pollOnce(std::shared_ptr<DevicePoll> poll);
    DeviceCodeCredentialOptions m_options;
};

} // namespace azid
