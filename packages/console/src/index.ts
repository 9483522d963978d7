export { buildConsole, type ConsoleFiles } from "./bundle.js";
