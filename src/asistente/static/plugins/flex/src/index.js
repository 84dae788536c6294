import * as FlexPlugin from "@twilio/flex-plugin";
import AsistentePlugin from "./AsistentePlugin";

FlexPlugin.loadPlugin(AsistentePlugin);
