//! The placement actions for the table by state, the state machine's oracle, and placements put
//! straight into each state.

use crate::helpers::TestApp;
use crate::placements_schema::placement_at;
use app::domain::PlacementState;

axis! {
/// A placement action, for the table by state.
pub(super) enum PlacementAct {
    View,
    Edit,
    Publish,
    Close,
    Reopen,
    Cancel,
    Copy,
}
}

/// Whether the state machine lets a lead do `act` to a placement in `state`: the test's own
/// oracle, written from the product's rules rather than from `PlacementState::after`.
pub(super) fn transition_allowed(act: PlacementAct, state: PlacementState) -> bool {
    use PlacementAct::*;
    use PlacementState::*;
    match act {
        View | Copy => true,
        Edit => state != Cancelled,
        Publish => state == Draft,
        Close => matches!(state, Open | Full),
        Reopen => state == Closed,
        Cancel => state != Cancelled,
    }
}

/// A fresh R0A placement in `state`: full ones have every place accepted, cancelled ones a reason.
pub(super) async fn placement_in(app: &TestApp, state: PlacementState) -> app::server::entities::placement::Model {
    use app::server::entities::placement;
    use sea_orm::{ActiveModelTrait, Set};
    let p = placement_at(app, "R0A", "draft").await;
    let mut row: placement::ActiveModel = p.clone().into();
    row.state = Set(state);
    if state == PlacementState::Full {
        row.accepted = Set(p.places);
    }
    if state == PlacementState::Cancelled {
        row.cancel_reason = Set(Some("No supervisor".to_owned()));
    }
    row.update(&app.db).await.unwrap()
}
