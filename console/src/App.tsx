import type { ReactNode } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";

import { useConsole } from "./auth/context";
import { CALLBACK_PATH } from "./auth/oidc";
import { Layout } from "./components/Layout";
import { Loading } from "./components/States";
import { Admin } from "./pages/Admin";
import { AgentDetail, Agents } from "./pages/Agents";
import { Alerts } from "./pages/Alerts";
import { Budgets } from "./pages/Budgets";
import { CostTrends } from "./pages/CostTrends";
import { Overview } from "./pages/Overview";
import { RunDetailPage, Runs } from "./pages/Runs";
import { OidcCallback, SignIn } from "./pages/SignIn";

function RequireSession({ children }: { children: ReactNode }) {
  const { session, me } = useConsole();
  const location = useLocation();
  if (!session) return <Navigate to="/signin" state={{ from: location.pathname + location.search }} replace />;
  if (!me) return <Loading what="your roles" />;
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route path="/signin" element={<SignIn />} />
      <Route path={CALLBACK_PATH} element={<OidcCallback />} />
      <Route
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route index element={<Overview />} />
        <Route path="costs" element={<CostTrends />} />
        <Route path="agents" element={<Agents />} />
        <Route path="agents/:agentId" element={<AgentDetail />} />
        <Route path="runs" element={<Runs />} />
        <Route path="runs/:runId" element={<RunDetailPage />} />
        <Route path="budgets" element={<Budgets />} />
        <Route path="alerts" element={<Alerts />} />
        <Route path="admin" element={<Admin />} />
        <Route path="*" element={<p>Nothing here.</p>} />
      </Route>
    </Routes>
  );
}
