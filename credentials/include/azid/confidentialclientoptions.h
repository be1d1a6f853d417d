#pragma once

#include "azid/clock.h"
#include "azid/httpoptions.h"
#include "azid/tokencache.h"
#include "azid/tokencachepersistence.h"

#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>
#include <optional>

namespace azid {

// The keyword arguments that azure.identity's confidential-client credentials share (client secret,
// certificate, client assertion, authorization code, on-behalf-of).
struct ConfidentialClientOptions
{
    QString authority; // host or https URL; empty: AZURE_AUTHORITY_HOST or the public cloud
    QStringList additionallyAllowedTenants; // "*" allows any tenant
    bool disableInstanceDiscovery = false;
    QUrl instanceDiscoveryEndpoint; // where unknown hosts are validated; default: the public cloud's
    // MSAL's azure_region: tokens of the client credentials grant come from the regional token service
    // of this Azure region (e.g. "westus2"), or of the region found in REGION_NAME for "TryAutoDetect"
    // (or "true"). Empty: AZURE_REGIONAL_AUTHORITY_NAME, as azure.identity reads it; "DisableRegion"
    // (or "false"): the global endpoint even when that variable is set.
    QString regionalAuthority;
    // Where tokens go (cache_persistence_options: the keychain module persists this cache). Empty: a
    // cache of the credential's own, in memory.
    std::shared_ptr<TokenCache> cache;
    // azure.identity's cache_persistence_options (ClientSecretCredential, CertificateCredential,
    // ClientAssertionCredential): without `cache`, tokens go to the persistent cache it names (see
    // TokenCachePersistence; the keychain module provides it), loaded before and saved after each
    // request. Unset: a cache in memory.
    std::optional<TokenCachePersistenceOptions> cachePersistenceOptions;
    const Clock *clock = nullptr; // tests move time; default: the system clock
    HttpOptions http;
};

} // namespace azid
