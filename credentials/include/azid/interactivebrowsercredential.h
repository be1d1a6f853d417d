#pragma once

#include "azid/browseropener.h"
#include "azid/interactivecredential.h"

#include <chrono>

namespace azid {

struct InteractiveBrowserCredentialOptions : InteractiveCredentialOptions
{
    // http://localhost:PORT[/path] or http://127.0.0.1:PORT[/path], as registered for the application:
    // sent to the authority exactly as given, and PORT is bound on 127.0.0.1. Empty: a free port,
    // sent as http://localhost:PORT.
    QString redirectUri;
    QString loginHint;
    std::chrono::seconds timeout{300};
    // How the sign-in page is opened; empty: $BROWSER, else the desktop's default browser.
    BrowserOpener openBrowser;
};

// Authorization code flow with PKCE: the system browser signs the user in and the authority
// redirects to a one-shot listener on 127.0.0.1.
class InteractiveBrowserCredential final : public InteractiveCredential
{
    Q_OBJECT
public:
    explicit InteractiveBrowserCredential(const InteractiveBrowserCredentialOptions &options = {},
                                          QObject *parent = nullptr);
    QString name() const override { return QStringLiteral("InteractiveBrowserCredential"); }

protected:
    QFuture<Result<detail::TokenOutcome>> requestToken(const detail::InteractiveRequest &request) override;

private:
    InteractiveBrowserCredentialOptions m_options;
    quint16 m_port = 0;
};

} // namespace azid
