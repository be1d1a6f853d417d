#include "resources.h"

#include <QtGlobal>

// Q_INIT_RESOURCE must be used outside of any namespace.
static void initAzidResources()
{
    Q_INIT_RESOURCE(azid);
}

namespace azid::ui {

void initResources()
{
    static const bool done = [] {
        initAzidResources();
        return true;
    }();
    Q_UNUSED(done);
}

} // namespace azid::ui
