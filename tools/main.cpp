// clientele: the command-line entry point and composition root (DESIGN.md §1, §7).

#include <CLI/CLI.hpp>

#include "infra/logging.hpp"
#include "tools/admin_command.hpp"
#include "tools/bench.hpp"
#include "tools/erase.hpp"
#include "tools/kafka_dev_broker.hpp"
#include "tools/options.hpp"
#include "tools/projections_command.hpp"
#include "tools/replay.hpp"
#include "tools/serve.hpp"

int main(int argc, char** argv) {
  using namespace clientele;
  CLI::App app{
      "clientele: an event-sourced customer system (customers, addresses, orders, "
      "complaints)"};
  app.set_config("--config", "",
                 "Read options from a TOML/INI file (flags and CLIENTELE_* "
                 "environment variables take precedence)");
  app.require_subcommand(1);

  tools::ServeOptions serve_options;
  auto* serve = app.add_subcommand("serve",
                                   "Run the service (REST API, projector, admin channel) until "
                                   "SIGTERM, on the embedded event log or on Kafka (--event-log)");
  tools::add_serve_options(*serve, serve_options);

  tools::EraseOptions erase_options;
  auto* erase = app.add_subcommand(
      "erase", "Erase a customer by destroying its key, and print a receipt; or --verify one");
  tools::add_store_options(*erase, erase_options.store);
  // Exactly one of --customer and --verify; the store options come on top.
  auto* erase_target = erase->add_option_group("target", "The customer to erase or to verify");
  auto* erase_customer = erase_target->add_option("--customer", erase_options.customer,
                                                  "Customer id to erase (CUST_...)");
  auto* reason =
      erase->add_option("--reason", erase_options.reason, "Reason code, e.g. gdpr-art17");
  auto* legal_basis =
      erase->add_option("--legal-basis", erase_options.legal_basis, "Legal basis of the erasure");
  auto* requested_by = erase->add_option("--requested-by", erase_options.requested_by,
                                         "Staff user id of who asked for it");
  auto* verify = erase_target->add_option(
      "--verify", erase_options.verify,
      "Check that this customer's key is gone and none of its sealed events opens");
  for (auto* option : {reason, legal_basis, requested_by}) option->needs(erase_customer);
  erase_customer->needs(reason)->needs(legal_basis)->needs(requested_by)->excludes(verify);
  erase_target->require_option(1);

  tools::ReplayOptions replay_options;
  auto* replay = tools::add_replay_command(app, replay_options);

  tools::BenchOptions bench_options;
  auto* bench = tools::add_bench_command(app, bench_options);

  tools::ProjectionsOptions projections_options;
  auto* projections = tools::add_projections_command(app, projections_options);

  tools::AdminOptions admin_options;
  auto* admin = tools::add_admin_command(app, admin_options);

  tools::KafkaDevBrokerOptions kafka_dev_broker_options;
  auto* kafka_dev_broker = tools::add_kafka_dev_broker_command(app, kafka_dev_broker_options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Prints the usage error (or the help); a malformed command line exits 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  infra::init_logging();
  if (serve->parsed()) return tools::run_serve(serve_options);
  if (erase->parsed()) return tools::run_erase(erase_options);
  if (replay->parsed()) return tools::run_replay(replay_options);
  if (projections->parsed()) return tools::run_projections(*projections, projections_options);
  if (bench->parsed()) return tools::run_bench(*bench, bench_options);
  if (admin->parsed()) return tools::run_admin(admin_options);
  if (kafka_dev_broker->parsed()) return tools::run_kafka_dev_broker(kafka_dev_broker_options);
  return 2;
}
