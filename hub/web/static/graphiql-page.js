// GraphiQL on GET /graphql, from the copies in static/graphiql/ (see its README): the page
// loads nothing from another site, so the IDE works on a machine without internet.
// An API token goes in the Headers tab as {"Authorization": "Bearer …"}; it is kept only
// for this tab's life, not persisted.
const START = `# Tracker Hub's GraphQL API. Run with Ctrl-Enter; the Docs pane lists every field.
{
  roadmap(groupBy: INITIATIVE) {
    asOf
    summary { epics onTrack atRisk offTrack done noDates }
    lanes { key title health }
  }
}
`;

const endpoint = new URL("graphql", document.baseURI).href;
const fetcher = GraphiQL.createFetcher({ url: endpoint });
const explorer = GraphiQLPluginExplorer.explorerPlugin();

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: START,
    plugins: [explorer],
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
    inputValueDeprecation: true,
  }),
);
