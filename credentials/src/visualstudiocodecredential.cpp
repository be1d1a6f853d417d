#include "azid/visualstudiocodecredential.h"

#include "futures.h"

namespace azid {

VisualStudioCodeCredential::VisualStudioCodeCredential(const VisualStudioCodeCredentialOptions &options,
                                                       QObject *parent)
    : QObject(parent), m_options(options)
{}

QFuture<TokenResult> VisualStudioCodeCredential::getTokenInfo(const TokenRequestOptions &)
{
    return detail::ready(TokenResult(AuthError::unavailable(QStringLiteral(
        "VisualStudioCodeCredential is unavailable: it gets the Visual Studio Code account's tokens through "
        "the "
        "Windows Web Account Manager broker (azure.identity needs the 'azure-identity-broker' package for "
        "it), "
        "which this platform and Azid do not have. Instead, sign in with the Azure CLI ('az login') and use "
        "AzureCliCredential, or with the Azure Developer CLI ('azd auth login') and use "
        "AzureDeveloperCliCredential, or sign in to Azid with the browser or a device code."))));
}

} // namespace azid
