/** `flume-ts help`: the commands (main.ts) and validate's --help. */
export const USAGE = `Usage: flume-ts <command> [options]   (also installed as flume-ng, with flume-ng's commands and options)

Commands:
  agent        run an agent:     flume-ts agent --conf-file FILE --name NAME [options]   (agent --help for all options)
  validate     check a config:   flume-ts validate --conf-file FILE [--name NAME] [--format text|json] [--strict]
                                   [--check-environment]  (also: ports free, directories writable, hosts resolvable here)
  docs         write the component reference: flume-ts docs [--codes | --compatibility] [--out FILE] [--check]
  avro-client  send lines to an avro source: flume-ts avro-client -H HOST -p PORT [-F FILE] [-R HEADERFILE]
  graph        draw the flow:    flume-ts graph --conf-file FILE --name NAME [--format svg|dot|mermaid] [-o FILE]
  top          live view of a running agent: flume-ts top [--host H --port P | URL] [--interval S]
  tool         Flume's tools (FCINTEGRITYTOOL): not implemented, listed
  version      print the version
  help         this help; COMMAND --help: the options of one command, with examples

Examples:
  flume-ts agent -n a1 -f conf/example.conf
  flume-ts validate -f conf/example.conf -n a1
  flume-ng agent -n a1 -c conf -f conf/flume.conf -Dflume.root.logger=INFO,console
`;
