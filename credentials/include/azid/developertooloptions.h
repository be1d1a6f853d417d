#pragma once

#include "azid/processrunner.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <chrono>
#include <memory>
#include <optional>

namespace azid {

// The keyword arguments shared by AzureCliCredential, AzureDeveloperCliCredential and
// AzurePowerShellCredential.
struct DeveloperToolOptions
{
    QString tenantId;                                // empty: the tool's own default tenant
    QStringList additionallyAllowedTenants;          // "*" allows any tenant
    std::chrono::milliseconds processTimeout{10000}; // azure.identity's process_timeout (10 s)
    // What runs the tool; default: ProcessRunner::createDefault().
    std::shared_ptr<ProcessRunner> processRunner;
    // The tool's environment, PATH included; default: this process's, read at construction.
    std::optional<QProcessEnvironment> environment;
    // Set by DefaultAzureCredential (azure.identity's within_dac): failures of the tool are
    // reported as unavailable, so that the chain goes on to the next credential.
    bool withinDefaultChain = false;
};

} // namespace azid
