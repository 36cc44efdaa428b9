//! A plugin that changes nothing, for the benchmark of a call's fixed cost (instantiation,
//! the call, the payload's way in and out).

use platform_plugin_sdk::prelude::*;

struct Noop;

impl Plugin for Noop {
    fn describe() -> Info {
        Info::new("noop", "1.0.0", "Does nothing").filter(hooks::PRE_SAVE, 10)
    }
}

export_plugin!(Noop);
