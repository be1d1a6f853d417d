#pragma once

namespace azid::sandbox {

// Behaviour knobs: set from the command line, changeable at runtime via POST /_sandbox/settings.
struct Settings
{
    int accessTokenLifetime = 3600; // seconds
    int refreshIn = 0;              // seconds; 0 leaves refresh_in out of token responses
    bool autoApprove = false;
    bool slowDown = false; // answer slow_down to device-code polls that come faster than the interval
    int deviceInterval = 5;
    int deviceExpires = 900;
    int codeLifetime = 600;
};

} // namespace azid::sandbox
